/**
 * The queries the engine is running, by client request id: what `.show running queries` lists and `.cancel query`
 * stops, and what the engine stops when it closes.
 *
 * A query stays listed until its DuckDB work has ended, not merely until its client got an answer: a timed-out or
 * cancelled query is answered at once, but DuckDB checks for an interrupt only between chunks of rows, so its work
 * may go on a little longer (State `Cancelling`). "No running query" therefore means the engine is idle.
 */
import { silentLogger, type Logger } from '../logging/logger.js';
import type { KustoEngineError } from '../errors/kusto-engine-error.js';

export type RunningQueryState = 'InProgress' | 'Cancelling';

export interface RunningQueryInfo {
  /** The request's `x-ms-client-request-id` (ADX calls it ClientActivityId in `.show queries`). */
  readonly clientActivityId: string;
  /** The engine's activity id for the request. */
  readonly rootActivityId: string;
  readonly database: string;
  readonly text: string;
  /** `x-ms-app` of the request. */
  readonly application: string;
  readonly startedOn: Date;
  readonly state: RunningQueryState;
  /** Set once the query is cancelled, timed out or stopped by the shutdown. */
  readonly stoppedOn?: Date;
}

/** One running query: its abort signal is what interrupts its DuckDB connection. */
export class RunningQuery {
  private readonly controller = new AbortController();
  private stoppedOn?: Date;

  constructor(readonly info: Omit<RunningQueryInfo, 'state' | 'stoppedOn'>) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the query with `reason`, the error its client gets; a second stop keeps the first reason. */
  stop(reason: KustoEngineError): boolean {
    if (this.controller.signal.aborted) {
      return false;
    }
    this.stoppedOn = new Date();
    this.controller.abort(reason);
    return true;
  }

  snapshot(): RunningQueryInfo {
    return {
      ...this.info,
      state: this.stoppedOn ? 'Cancelling' : 'InProgress',
      ...(this.stoppedOn ? { stoppedOn: this.stoppedOn } : {}),
    };
  }
}

export class RunningQueries {
  private readonly queries = new Set<RunningQuery>();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly logger: Logger = silentLogger) {}

  start(info: RunningQuery['info']): RunningQuery {
    const query = new RunningQuery(info);
    this.queries.add(query);
    return query;
  }

  /**
   * Unlists `query` once `work` (its DuckDB work, when it got that far) has settled. Never rejects: `work`'s outcome
   * belongs to whoever awaited it; here only its end matters.
   */
  async finish(query: RunningQuery, work?: Promise<unknown>): Promise<void> {
    if (work) {
      await work.then(
        () => undefined,
        () => undefined,
      );
    }
    const { stoppedOn } = query.snapshot();
    if (stoppedOn) {
      const lingeredMs = Date.now() - stoppedOn.getTime();
      // Long stretches without an interrupt check are worth knowing about: they hold a core and a connection.
      (lingeredMs > 1000 ? this.logger.warn.bind(this.logger) : this.logger.debug.bind(this.logger))(
        { clientRequestId: query.info.clientActivityId, lingeredMs },
        'stopped query ended its DuckDB work',
      );
    }
    this.queries.delete(query);
    if (this.queries.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((resolve) => resolve());
    }
  }

  /** Stops every running query whose client request id is `clientActivityId`; how many were stopped. */
  cancel(clientActivityId: string, reason: KustoEngineError): number {
    let stopped = 0;
    for (const query of this.queries) {
      if (query.info.clientActivityId === clientActivityId && query.stop(reason)) {
        stopped += 1;
      }
    }
    return stopped;
  }

  stopAll(reason: KustoEngineError): number {
    let stopped = 0;
    for (const query of this.queries) {
      if (query.stop(reason)) {
        stopped += 1;
      }
    }
    return stopped;
  }

  list(): RunningQueryInfo[] {
    return [...this.queries].map((q) => q.snapshot());
  }

  /** Resolves once no query is running, or after `timeoutMs`; true when idle. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.queries.size === 0) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(done);
    });
  }
}
