/**
 * Splits a batch into messages to ingest and messages whose id is already in the target table (a redelivery or
 * resend of an ingested message), which are completed without a second ingest.
 *
 * DedupMode `table` looks every id up; `redelivered` only ids the broker delivered before (deliveryCount > 0: a
 * crash or lock-loss redelivery); `off` none. CSV rows carry no id and are never looked up. A lookup that fails
 * permanently suspends dedup for that table for a minute (at-least-once, logged with the fix) rather than stopping
 * its data; start-up already refuses routes to tables without the id column (dedup-column-check). Tables whose
 * route declares at-least-once delivery are never looked up.
 */
import type { Logger } from '../common/logging/logger.js';
import type { Clock } from './clock.js';
import { PermanentIngestFailure, type IngestRetry } from './ingest-retry.js';
import type { MessageIdIndex } from './message-id-index.js';
import type { PipelineEntry } from './pipeline-entry.js';
import type { RouteTarget } from './table-router.js';

/**
 * `table`: look every message id up in the target table before ingesting (exactly-once in effect, also for
 * producer resends outside the broker's duplicate-detection window); `redelivered`: look up only messages the
 * broker delivered before (deliveryCount > 0: crash/lock-loss redelivery) and leave producer resends to the
 * topic's duplicate detection — no lookup on the hot path; `off`: at-least-once.
 */
export type DedupMode = 'table' | 'redelivered' | 'off';

export interface DedupSplit {
  fresh: PipelineEntry[];
  duplicates: PipelineEntry[];
}

export interface DedupFilterDeps {
  database: string;
  mode: DedupMode;
  column: string;
  index?: MessageIdIndex;
  /** Tables whose route declares at-least-once delivery: never looked up. */
  atLeastOnce: ReadonlySet<string>;
  retry: IngestRetry;
  clock: Clock;
  logger: Logger;
}

const DEDUP_RETRY_AFTER_MS = 60_000;

export class DedupFilter {
  /** Tables whose id lookup failed permanently → ingested without dedup until this time (then retried). */
  private readonly suspendedUntil = new Map<string, number>();

  constructor(private readonly deps: DedupFilterDeps) {}

  /** `everyId`: look up every entry whatever the mode (bisection, where the engine may have kept part). */
  async split(target: RouteTarget, entries: PipelineEntry[], everyId = false): Promise<DedupSplit> {
    const { index, mode, database, column } = this.deps;
    if (!index || !this.applies(target)) {
      return { fresh: entries, duplicates: [] };
    }
    const candidates =
      mode === 'redelivered' && !everyId ? entries.filter((e) => e.message.deliveryCount > 0) : entries;
    if (candidates.length === 0) {
      return { fresh: entries, duplicates: [] };
    }
    let existing: Set<string>;
    try {
      existing = await this.deps.retry.call(target.table, 'lookup', () =>
        index.existing(
          database,
          target.table,
          column,
          candidates.map((e) => e.message.messageId),
        ),
      );
    } catch (error) {
      if (!(error instanceof PermanentIngestFailure)) {
        throw error;
      }
      // Keep the data flowing (at-least-once) and say how to fix the cause.
      this.suspendedUntil.set(target.table, this.deps.clock.now() + DEDUP_RETRY_AFTER_MS);
      this.deps.logger.error(
        { table: target.table, column, error: error.message },
        `message-id lookup on ${target.table} failed permanently (${error.message}); ingesting ${target.table} ` +
          `without dedup for ${DEDUP_RETRY_AFTER_MS / 1000} s. ${this.advice(target.table, error.message)}`,
      );
      return { fresh: entries, duplicates: [] };
    }
    if (existing.size === 0) {
      return { fresh: entries, duplicates: [] };
    }
    const fresh: PipelineEntry[] = [];
    const duplicates: PipelineEntry[] = [];
    for (const entry of entries) {
      (existing.has(entry.message.messageId) ? duplicates : fresh).push(entry);
    }
    return { fresh, duplicates };
  }

  /** The engine names what it could not resolve: the table (missing) or the id column (not in the table). */
  private advice(table: string, message: string): string {
    const column = this.deps.column;
    if (message.includes(`'${table}'`) && !message.includes(`'${column}'`)) {
      return `Table ${table} does not exist in database ${this.deps.database}: create it, or route its messages elsewhere.`;
    }
    if (message.includes(`'${column}'`)) {
      return `Add a string column ${column} mapped from $.messageId to ${table}, or set INGEST_DEDUP=off.`;
    }
    return `If ${table} cannot hold message ids, set INGEST_DEDUP=off.`;
  }

  private applies(target: RouteTarget): boolean {
    if (this.deps.mode === 'off' || target.format === 'csv' || this.deps.atLeastOnce.has(target.table)) {
      return false;
    }
    const suspendedUntil = this.suspendedUntil.get(target.table);
    return suspendedUntil === undefined || this.deps.clock.now() >= suspendedUntil;
  }
}
