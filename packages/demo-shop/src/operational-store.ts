/**
 * The operational database: SQLite (node:sqlite's API, WAL) at `<DATA_DIR>/demo/operational.sqlite`, standing in for the
 * Azure SQL database the architecture's function app writes from the `operational` subscription. Only the
 * operational consumer writes it; `kqlgate demo check` reads it.
 *
 * Not to be confused with the OLTP app's own store (`oltp.sqlite`, oltp-store.ts): that one records what the shop
 * published (its outbox); this one holds what reached the operational side through Service Bus.
 *
 * Writes are idempotent: one row per MessageId, upserted. A redelivered message (a lock lost after the commit, a
 * crash before the settlement) carries the same MessageId and body and leaves the row as it was, `written_at`
 * included; a different body under the same MessageId replaces the row.
 */
import { dirname, join } from 'node:path';
import { createDirectorySync, runSqliteTransaction } from '@kqlgate/data-directory';
import { openDemoDatabase, type DatabaseSyncInstance, type StatementSyncInstance } from './demo-database.js';
import type { OperationalEvent } from './operational-event-decoder.js';

/** Where the operational consumer keeps its database inside DATA_DIR. */
export function operationalStorePath(dataDir: string): string {
  return join(dataDir, 'demo', 'operational.sqlite');
}

/** What one write did. */
export interface OperationalWriteResult {
  /** Rows inserted, or replaced because the body differed. */
  written: number;
  /** Events already stored with the same body (redeliveries): nothing changed. */
  unchanged: number;
}

/** What the operational consumer writes to: the SQLite store, or a fault-injecting wrapper in tests. */
export interface OperationalEventWriter {
  /** Writes all events in one transaction: when it returns they are committed; when it throws, none is. */
  write(events: readonly OperationalEvent[], nowMs: number): OperationalWriteResult;
  close(): void;
}

/** One stored row, as the tests and the reconciliation read it. */
export interface OperationalRow {
  messageId: string;
  eventId: string;
  eventType: string;
  tenantId: string;
  occurredAt: string;
  body: string;
  enqueuedAt: number | null;
  writtenAt: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS operational_events (
  message_id   TEXT    PRIMARY KEY,
  event_id     TEXT    NOT NULL,
  event_type   TEXT    NOT NULL,
  tenant_id    TEXT    NOT NULL,
  occurred_at  TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  enqueued_at  INTEGER,
  written_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS operational_events_type ON operational_events (event_type);
`;

export class OperationalStore implements OperationalEventWriter {
  private readonly db: DatabaseSyncInstance;
  private readonly upsert: StatementSyncInstance;

  private constructor(readonly file: string) {
    this.db = openDemoDatabase(file, SCHEMA);
    this.upsert = this.db.prepare(
      `INSERT INTO operational_events
         (message_id, event_id, event_type, tenant_id, occurred_at, body, enqueued_at, written_at)
       VALUES (@messageId, @eventId, @eventType, @tenantId, @occurredAt, @body, @enqueuedAtMs, @nowMs)
       ON CONFLICT (message_id) DO UPDATE SET
         event_id = excluded.event_id, event_type = excluded.event_type, tenant_id = excluded.tenant_id,
         occurred_at = excluded.occurred_at, body = excluded.body, enqueued_at = excluded.enqueued_at,
         written_at = excluded.written_at
       WHERE operational_events.body <> excluded.body`,
    );
  }

  /** Opens (creating if needed) the database; `operationalStorePath(dataDir)` is where the consumer keeps it. */
  static open(file: string): OperationalStore {
    createDirectorySync(dirname(file), "the demo's data directory");
    try {
      return new OperationalStore(file);
    } catch (error) {
      throw new Error(`Cannot open the demo operational database ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  write(events: readonly OperationalEvent[], nowMs: number): OperationalWriteResult {
    return runSqliteTransaction(this.db, () => {
      let written = 0;
      for (const event of events) {
        // Exactly the statement's parameters: node:sqlite rejects a named parameter the statement lacks.
        const { messageId, eventId, eventType, tenantId, occurredAt, body, enqueuedAtMs } = event;
        written += Number(
          this.upsert.run({ messageId, eventId, eventType, tenantId, occurredAt, body, enqueuedAtMs, nowMs })
            .changes,
        );
      }
      return { written, unchanged: events.length - written };
    });
  }

  countsByType(): Record<string, number> {
    const rows = this.db
      .prepare('SELECT event_type AS eventType, count(*) AS n FROM operational_events GROUP BY event_type')
      .all() as { eventType: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.eventType, r.n]));
  }

  /** Every row, oldest write first (tests). */
  rows(): OperationalRow[] {
    return this.db
      .prepare(
        `SELECT message_id AS messageId, event_id AS eventId, event_type AS eventType, tenant_id AS tenantId,
                occurred_at AS occurredAt, body, enqueued_at AS enqueuedAt, written_at AS writtenAt
         FROM operational_events ORDER BY written_at, message_id`,
      )
      .all() as OperationalRow[];
  }

  close(): void {
    if (this.db.isOpen) {
      this.db.close();
    }
  }
}
