import type { KustoCommandRunner } from './kql-deployer.js';

/** A `.show` command's rows, keyed by column name. */
export type ShownRow = Record<string, unknown>;

/**
 * How many `.show` commands of one plan are in flight at once. A plan reads a few objects per table; one round trip
 * after another made the plan of an unchanged kql/ cost ~40 round trips on every start. A few at a time overlap
 * them without sending ADX (which throttles control commands per cluster) a burst the size of kql/.
 */
export const STATE_READ_CONCURRENCY = 8;

/**
 * What one deploy plan reads of the database: each `.show` command sent once (the plan may ask twice, e.g. for
 * `.show external tables`), at most STATE_READ_CONCURRENCY at a time, its rows shared by every step that asks. A
 * command that fails reads as undefined (the object is absent, or the database cannot say), as the plan expects.
 * One reader per plan: what it read is not reused by the next plan.
 */
export class DeployStateReader {
  private readonly reads = new Map<string, Promise<ShownRow[] | undefined>>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly client: KustoCommandRunner,
    private readonly concurrency = STATE_READ_CONCURRENCY,
  ) {}

  /** The command's rows: sent now (or once a slot frees), or the read already made of it. */
  rows(csl: string): Promise<ShownRow[] | undefined> {
    let read = this.reads.get(csl);
    if (!read) {
      read = this.read(csl);
      this.reads.set(csl, read);
    }
    return read;
  }

  /** Starts the reads the plan's steps will ask for, so that they overlap instead of following one another. */
  prefetch(commands: Iterable<string>): void {
    for (const csl of commands) {
      void this.rows(csl);
    }
  }

  private async read(csl: string): Promise<ShownRow[] | undefined> {
    if (this.inFlight >= this.concurrency) {
      // The finishing read hands its slot over (inFlight stays as it is).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.inFlight++;
    }
    try {
      const table = await this.client.command(csl);
      return table.rows.map((row) => Object.fromEntries(table.columns.map((c, i) => [c.name, row[i]])));
    } catch {
      return undefined;
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next();
      } else {
        this.inFlight--;
      }
    }
  }
}
