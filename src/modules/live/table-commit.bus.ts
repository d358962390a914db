import { randomUUID } from 'node:crypto';

/** Rows landed in a table (what ingestion's BatchCommitted says), with the process that saw the commit. */
export interface TableCommit {
  readonly database: string;
  readonly table: string;
  readonly rows: number;
  /** The `origin` of the bus that published it: a replica knows its own commits (its cache is already invalidated). */
  readonly origin: string;
}

export type TableCommitListener = (commit: TableCommit) => void;

/**
 * Carries ingestion commits to every gateway replica: through Redis pub/sub when REDIS_URL is set (a gateway
 * replica runs no ingestion of its own), inside this process otherwise.
 */
export interface TableCommitBus {
  /** Identifies this process's bus; stamped on what it publishes. */
  readonly origin: string;
  publish(commit: Omit<TableCommit, 'origin'>): void;
  /** Returns the unsubscribe function. */
  subscribe(listener: TableCommitListener): () => void;
  close(): Promise<void>;
}

/** The bus of a single process: listeners run on a later microtask, after every ingestion listener (the cache's). */
export class InProcessCommitBus implements TableCommitBus {
  readonly origin = randomUUID();
  private readonly listeners = new Set<TableCommitListener>();

  publish(commit: Omit<TableCommit, 'origin'>): void {
    const stamped = { ...commit, origin: this.origin };
    queueMicrotask(() => this.deliver(stamped));
  }

  subscribe(listener: TableCommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  protected deliver(commit: TableCommit): void {
    for (const listener of this.listeners) {
      listener(commit);
    }
  }
}
