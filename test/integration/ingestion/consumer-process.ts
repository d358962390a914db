/**
 * The ingestion pipeline in its own process (fixtures/ingestion-consumer.mjs, running the built dist/), so that a
 * test can SIGKILL it the way a crash or an OOM kill ends the app. It prints its stats and the count of batches per
 * ingestion path (kqlgate_ingestion_batches_total) every 100 ms; the last report before a kill is what it did.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { IngestionSettings } from '../../../src/ingestion/ingestion-factory.js';
import type { IngestPath } from '../../../src/ingestion/kusto-ingest-sink.js';
import { ensureBuilt } from '../../utils/ensure-built.js';

export interface ConsumerStats {
  received: number;
  ingested: number;
  duplicates: number;
  inFlight: number;
}

export type PathCounts = Partial<Record<IngestPath, number>>;

const MAX_LOG_LINES = 20;

export class ConsumerProcess {
  stats: ConsumerStats | undefined;
  paths: PathCounts = {};
  private readonly exited: Promise<unknown>;
  private logLines = 0;

  private constructor(readonly process: ChildProcess) {
    this.exited = new Promise((resolve) => process.once('exit', resolve));
    let buffer = '';
    process.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{"stats"')) {
          ({ stats: this.stats, paths: this.paths } = JSON.parse(line) as {
            stats: ConsumerStats;
            paths: PathCounts;
          });
        } else if (line.length > 0 && this.logLines++ < MAX_LOG_LINES) {
          // The consumer's own warnings/errors (pino JSON), kept visible for diagnosis; the first ones only, as
          // every lock lost to the kill is a warning of its own.
          globalThis.process.stderr.write(`[consumer ${process.pid}] ${line.slice(0, 500)}\n`);
        }
      }
    });
  }

  static async start(settings: IngestionSettings): Promise<ConsumerProcess> {
    const dist = await ensureBuilt();
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'ingestion-consumer.mjs')], {
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        KQLGATE_DIST: dist,
        KQLGATE_INGEST_SETTINGS: JSON.stringify(settings),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return new ConsumerProcess(child);
  }

  /** The last report, for a failure's message. */
  report(): { exitCode: number | null; stats?: ConsumerStats; paths: PathCounts } {
    return { exitCode: this.process.exitCode, stats: this.stats, paths: this.paths };
  }

  /** SIGKILL: no drain, no settlement; its locked messages come back once their locks expire. */
  async kill(): Promise<void> {
    this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** Batches per path over several consumers (each counts from zero). */
export function totalPaths(consumers: readonly ConsumerProcess[]): PathCounts {
  const total: PathCounts = {};
  for (const consumer of consumers) {
    for (const [path, count] of Object.entries(consumer.paths) as Array<[IngestPath, number]>) {
      total[path] = (total[path] ?? 0) + count;
    }
  }
  return total;
}
