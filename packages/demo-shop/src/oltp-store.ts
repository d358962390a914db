/**
 * The OLTP app's own database: SQLite (node:sqlite's API, WAL) at `<DATA_DIR>/demo/oltp.sqlite`. It plays the
 * "existing OLTP flow" of the architecture, and its outbox is the record of what the app published — the side
 * `kqlgate demo check` compares the operational store (operational-store.ts, fed from the `operational`
 * subscription) and the analytics store with.
 *
 * It is also a transactional outbox. Each producer step runs in one SQLite transaction that (1) advances the
 * simulator, whose scheduled follow-ups live in `follow_ups`, (2) inserts the generated events into `outbox`
 * with `sent_at` NULL and (3) saves the simulator snapshot. Only then are the events sent to Service Bus, and
 * marked sent afterwards. A crash anywhere leaves either nothing or unsent rows that the next start sends again
 * with the same MessageId; a crash between send and mark re-sends messages the broker already has, which
 * Service Bus duplicate detection and the update policies' MessageId dedupe absorb.
 *
 * Nothing else writes this file.
 */
import { dirname, join } from 'node:path';
import { createDirectorySync, runSqliteTransaction } from '@kqlgate/data-directory';
import { openDemoDatabase, type DatabaseSyncInstance, type StatementSyncInstance } from './demo-database.js';
import { toEnvelope, type DemoEvent } from './demo-event.js';
import type { FollowUpAction } from './follow-up-action.js';
import { compareFollowUps, type FollowUp, type FollowUpQueue } from './follow-up-queue.js';
import type { SimulatorSnapshot } from './oltp-simulator.js';

export interface OutboxMessage {
  readonly seq: number;
  readonly messageId: string;
  readonly eventType: string;
  readonly tenantId: string;
  /** The exact JSON text that is published as the message body. */
  readonly body: string;
}

/** Where the producer keeps its store inside DATA_DIR. */
export function oltpStorePath(dataDir: string): string {
  return join(dataDir, 'demo', 'oltp.sqlite');
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  seq          INTEGER PRIMARY KEY,
  message_id   TEXT    NOT NULL UNIQUE,
  event_id     TEXT    NOT NULL,
  event_type   TEXT    NOT NULL,
  tenant_id    TEXT    NOT NULL,
  occurred_at  TEXT    NOT NULL,
  body         TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  sent_at      INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox (seq) WHERE sent_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_type ON outbox (event_type);
CREATE TABLE IF NOT EXISTS follow_ups (
  id      INTEGER PRIMARY KEY,
  due_ms  INTEGER NOT NULL,
  action  TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS follow_ups_due ON follow_ups (due_ms, id);
CREATE TABLE IF NOT EXISTS producer_state (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
`;

export class OltpStore {
  private readonly db: DatabaseSyncInstance;
  private readonly queue: SqliteFollowUpQueue;
  private readonly insertEvent: StatementSyncInstance;
  private readonly markSentStmt: StatementSyncInstance;
  private readonly unsentStmt: StatementSyncInstance;
  private readonly setState: StatementSyncInstance;
  private readonly getState: StatementSyncInstance;

  private constructor(readonly file: string) {
    this.db = openDemoDatabase(file, SCHEMA);
    this.queue = new SqliteFollowUpQueue(this.db);
    this.insertEvent = this.db.prepare(
      `INSERT INTO outbox (seq, message_id, event_id, event_type, tenant_id, occurred_at, body, created_at)
       VALUES (@seq, @messageId, @eventId, @eventType, @tenantId, @occurredAt, @body, @createdAt)`,
    );
    this.markSentStmt = this.db.prepare('UPDATE outbox SET sent_at = ? WHERE seq = ? AND sent_at IS NULL');
    this.unsentStmt = this.db.prepare(
      `SELECT seq, message_id AS messageId, event_type AS eventType, tenant_id AS tenantId, body
       FROM outbox WHERE sent_at IS NULL AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.setState = this.db.prepare(
      'INSERT INTO producer_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.getState = this.db.prepare('SELECT value FROM producer_state WHERE key = ?');
  }

  /** Opens (creating if needed) the store file; `oltpStorePath(dataDir)` gives the producer's default. */
  static open(file: string): OltpStore {
    createDirectorySync(dirname(file), "the demo's data directory");
    try {
      return new OltpStore(file);
    } catch (error) {
      throw new Error(`Cannot open the demo OLTP store ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The simulator's follow-up queue, persisted in this store. Use it only inside `transaction`. */
  get followUps(): FollowUpQueue {
    return this.queue;
  }

  /**
   * Runs `fn` in one SQLite transaction. On failure the database is rolled back, and the caller must restore
   * its simulator from the store again, because in-memory state may have moved on.
   */
  transaction<T>(fn: () => T): T {
    this.queue.forgetHead();
    try {
      return runSqliteTransaction(this.db, fn);
    } finally {
      this.queue.forgetHead();
    }
  }

  /** Inserts generated events as unsent outbox rows; call inside `transaction` together with `saveSnapshot`. */
  insertEvents(events: readonly DemoEvent[], nowMs: number): void {
    for (const e of events) {
      this.insertEvent.run({
        seq: e.seq,
        messageId: e.messageId,
        eventId: e.eventId,
        eventType: e.eventType,
        tenantId: e.tenantId,
        occurredAt: e.occurredAt,
        body: JSON.stringify(toEnvelope(e)),
        createdAt: nowMs,
      });
    }
  }

  saveSnapshot(snapshot: SimulatorSnapshot): void {
    this.setState.run('snapshot', JSON.stringify(snapshot));
  }

  loadSnapshot(): SimulatorSnapshot | undefined {
    const row = this.getState.get('snapshot') as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as SimulatorSnapshot) : undefined;
  }

  setValue(key: string, value: string): void {
    this.setState.run(key, value);
  }

  getValue(key: string): string | undefined {
    return (this.getState.get(key) as { value: string } | undefined)?.value;
  }

  /** Unsent events in publishing order, after `afterSeq`. */
  unsent(limit: number, afterSeq = 0): OutboxMessage[] {
    return this.unsentStmt.all(afterSeq, limit) as OutboxMessage[];
  }

  markSent(seqs: readonly number[], nowMs: number): void {
    runSqliteTransaction(this.db, () => {
      for (const seq of seqs) {
        this.markSentStmt.run(nowMs, seq);
      }
    });
  }

  unsentCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number })
      .n;
  }

  /** Events per type; `sentBeforeMs` limits the count to events published before that time. */
  countsByType(options: { sentOnly?: boolean; sentBeforeMs?: number } = {}): Record<string, number> {
    const where =
      options.sentBeforeMs !== undefined
        ? 'WHERE sent_at IS NOT NULL AND sent_at < @before'
        : options.sentOnly
          ? 'WHERE sent_at IS NOT NULL'
          : '';
    const rows = this.db
      .prepare(`SELECT event_type AS eventType, count(*) AS n FROM outbox ${where} GROUP BY event_type`)
      .all(options.sentBeforeMs !== undefined ? { before: options.sentBeforeMs } : {}) as {
      eventType: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.eventType, r.n]));
  }

  /** Outbox rows in publishing order: what the tests compare with what the broker delivered. */
  events(limit = Number.MAX_SAFE_INTEGER, afterSeq = 0): (OutboxMessage & { sentAt: number | null })[] {
    return this.db
      .prepare(
        `SELECT seq, message_id AS messageId, event_type AS eventType, tenant_id AS tenantId, body, sent_at AS sentAt
         FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`,
      )
      .all(afterSeq, limit) as (OutboxMessage & { sentAt: number | null })[];
  }

  close(): void {
    if (this.db.isOpen) {
      this.db.close();
    }
  }
}

/**
 * The follow-up queue as a table ordered by `(due_ms, id)`. The head is cached between calls so the simulator's
 * peek-then-pop loop costs one indexed lookup per follow-up.
 */
class SqliteFollowUpQueue implements FollowUpQueue {
  /** undefined: not known; null: the queue is empty. */
  private head: FollowUp | null | undefined;
  private readonly insert: StatementSyncInstance;
  private readonly first: StatementSyncInstance;
  private readonly remove: StatementSyncInstance;
  private readonly count: StatementSyncInstance;

  constructor(db: DatabaseSyncInstance) {
    this.insert = db.prepare('INSERT INTO follow_ups (id, due_ms, action) VALUES (?, ?, ?)');
    this.first = db.prepare('SELECT id, due_ms AS atMs, action FROM follow_ups ORDER BY due_ms, id LIMIT 1');
    this.remove = db.prepare('DELETE FROM follow_ups WHERE id = ?');
    this.count = db.prepare('SELECT count(*) AS n FROM follow_ups');
  }

  forgetHead(): void {
    this.head = undefined;
  }

  push(item: FollowUp): void {
    this.insert.run(item.id, item.atMs, JSON.stringify(item.action));
    if (this.head !== undefined && (this.head === null || compareFollowUps(item, this.head) < 0)) {
      this.head = item;
    }
  }

  peek(): FollowUp | undefined {
    if (this.head === undefined) {
      const row = this.first.get() as { id: number; atMs: number; action: string } | undefined;
      this.head = row
        ? { id: row.id, atMs: row.atMs, action: JSON.parse(row.action) as FollowUpAction }
        : null;
    }
    return this.head ?? undefined;
  }

  pop(): FollowUp | undefined {
    const top = this.peek();
    if (top) {
      this.remove.run(top.id);
      this.head = undefined;
    }
    return top;
  }

  size(): number {
    return (this.count.get() as { n: number }).n;
  }
}
