import { silentLogger, type Logger } from '../../common/logging/logger.js';
import type { CacheMetrics } from './cache-metrics.js';
import type { TableGenerations } from './cache-store.js';
import { TableLineage } from './table-lineage.js';

/** What the ingestion pipeline reports after rows are durably in a table (`IngestionPipeline.onBatchCommitted`). */
export interface BatchCommitted {
  readonly database: string;
  readonly table: string;
  readonly rows: number;
}

export interface BatchCommitSource {
  onBatchCommitted(listener: (event: BatchCommitted) => void): () => void;
}

/**
 * Ingestion-aware invalidation: a committed batch bumps the generation of its table and of every table an update
 * policy derives from it. Results of functions reading those tables get new cache keys (their next call runs the
 * query and sees the new rows, even within the TTL); functions on other tables keep their entries.
 */
export class CacheInvalidator {
  private pending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly generations: TableGenerations,
    private readonly lineage: TableLineage = TableLineage.none(),
    private readonly metrics?: CacheMetrics,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** False when the generations are shared: the commit bus bumps them (RedisCommitBus), not this process. */
  get bumpsOnCommit(): boolean {
    return !this.generations.shared;
  }

  /** Subscribes to a pipeline; returns the unsubscribe function. */
  attach(source: BatchCommitSource): () => void {
    return source.onBatchCommitted((event) => {
      this.pending = this.invalidate(event);
    });
  }

  async invalidate(event: BatchCommitted): Promise<string[]> {
    if (event.rows <= 0) {
      return [];
    }
    const tables = this.lineage.affectedBy(event.table);
    try {
      await Promise.all(tables.map((table) => this.generations.bump(table)));
      for (const table of tables) {
        this.metrics?.invalidations.inc({ table });
      }
      this.logger.debug(
        { database: event.database, tables, rows: event.rows },
        'cache invalidated by ingestion',
      );
    } catch (error) {
      this.logger.error(
        { tables, err: error instanceof Error ? error.message : String(error) },
        'could not bump table generations after ingestion; cached results may be stale until their TTL ends',
      );
    }
    return tables;
  }

  /** Resolves once the last invalidation triggered through `attach` has been applied (tests, graceful drain). */
  async settled(): Promise<void> {
    await this.pending;
  }
}
