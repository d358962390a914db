/**
 * The only module that writes broker state to disk (SQLite through node:sqlite's API). Every state change — enqueue
 * (all copies of a topic message at once), complete, abandon, dead-letter, defer, activate a scheduled message,
 * cancel, session state — is one method here and one atomic step inside a transaction.
 *
 * Group commit: operations issued during one event-loop turn are queued and committed together in a single
 * transaction on `setImmediate`; each caller's callback runs only after that commit, so the broker acknowledges
 * a send (or a settlement) only once it is durable. Batching keeps the per-message cost to a few prepared
 * statement executions and one WAL append per turn.
 *
 * Durability: WAL with `synchronous=NORMAL`. A committed transaction is in the WAL file (written with write(2))
 * before the callback runs, so it survives the broker process being killed (kill -9) — the case this emulator
 * is for. NORMAL skips the fsync per commit, so an operating-system crash or power loss may lose the last
 * transactions; `durability: 'full'` (synchronous=FULL) closes that gap at a large throughput cost.
 *
 * Schema: the rowid is the only index on the hot `messages` table; the whole backlog is loaded into memory at
 * start and served from there, so reads never hit SQLite.
 *
 * SQLite returns BLOBs as Uint8Array; `load()` turns them into Buffers (same memory, no copy) at this boundary,
 * because the AMQP codec reads and merges sections with Buffer methods. Integers come back as numbers, and
 * node:sqlite throws on one beyond 2^53 instead of rounding it: an entity TTL or duplicate window of more than
 * ~285,000 years (the config accepts 'P1000000Y') puts an expiry there. Such an expiry was written from a JS
 * number (a double), so `load()` reads expiries as REAL, which gives back exactly that number.
 */
// node:sqlite's API with prebuilt binaries (installing compiles nothing); the import becomes 'node:sqlite' (types
// DatabaseSync, StatementSync) once Node 22, where node:sqlite needs --experimental-sqlite, is dropped from `engines`.
import { DatabaseSync, type DatabaseSyncInstance, type StatementSyncInstance } from '@photostructure/sqlite';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createDirectorySync, runSqliteTransaction } from '@kqlgate/data-directory';
import { MessageState, type StoredMessage } from './stored-message.js';

export type StoreCallback = (error?: Error) => void;

export interface DuplicateRecord {
  readonly entity: string;
  readonly messageId: string;
  readonly expiresAt: number;
}

export interface LoadedState {
  readonly messages: StoredMessage[];
  readonly sequences: Map<string, number>;
  readonly duplicates: DuplicateRecord[];
  readonly sessionStates: { entity: string; sessionId: string; state: Buffer }[];
  readonly nextId: number;
}

interface MessageRow {
  id: number;
  entity: string;
  seq: number;
  state: number;
  enqueued_at: number;
  scheduled_at: number | null;
  expires_at: number | null;
  delivery_count: number;
  session_id: string | null;
  message_id: string;
  ttl: number | null;
  durable: number | null;
  priority: number | null;
  ann: Uint8Array | null;
  props: Uint8Array | null;
  app: Uint8Array | null;
  body: Uint8Array;
  dl_source: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY,
  entity TEXT NOT NULL,
  seq INTEGER NOT NULL,
  state INTEGER NOT NULL,
  enqueued_at INTEGER NOT NULL,
  scheduled_at INTEGER,
  expires_at INTEGER,
  delivery_count INTEGER NOT NULL,
  session_id TEXT,
  message_id TEXT NOT NULL,
  ttl INTEGER,
  durable INTEGER,
  priority INTEGER,
  ann BLOB,
  props BLOB,
  app BLOB,
  body BLOB NOT NULL,
  dl_source TEXT
);
CREATE TABLE IF NOT EXISTS sequences (entity TEXT PRIMARY KEY, last_seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS duplicates (
  entity TEXT NOT NULL, message_id TEXT NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY (entity, message_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS session_states (
  entity TEXT NOT NULL, session_id TEXT NOT NULL, state BLOB NOT NULL,
  PRIMARY KEY (entity, session_id)
) WITHOUT ROWID;
`;

export interface MessageStoreOptions {
  readonly dataDir: string;
  /** 'process' (default): survives a killed process; 'full': also survives an OS crash (fsync per commit). */
  readonly durability?: 'process' | 'full';
}

export class MessageStore {
  private readonly db: DatabaseSyncInstance;
  private readonly pending: (() => void)[] = [];
  private readonly callbacks: StoreCallback[] = [];
  private flushScheduled = false;
  private lastFlushAt = 0;
  private closed = false;
  private readonly statements: {
    insert: StatementSyncInstance;
    delete: StatementSyncInstance;
    updateDelivery: StatementSyncInstance;
    move: StatementSyncInstance;
    setState: StatementSyncInstance;
    setSequence: StatementSyncInstance;
    insertDuplicate: StatementSyncInstance;
    pruneDuplicates: StatementSyncInstance;
    setSessionState: StatementSyncInstance;
    deleteSessionState: StatementSyncInstance;
  };

  constructor(options: MessageStoreOptions) {
    createDirectorySync(options.dataDir, "the Service Bus broker's data directory");
    this.db = new DatabaseSync(join(options.dataDir, 'servicebus.sqlite'));
    // Only this process opens the file: exclusive locking keeps the WAL index in memory (no shm round trips),
    // and checkpointing every ~40 MB instead of ~4 MB halves the write volume under sustained load.
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'};
      PRAGMA locking_mode = EXCLUSIVE;
      PRAGMA wal_autocheckpoint = 10000;
      PRAGMA journal_size_limit = 67108864;
    `);
    this.db.exec(SCHEMA);
    this.statements = {
      // Positional: node:sqlite binds an object's 18 named values ~a third slower per message than a list.
      insert: this.db.prepare(
        `INSERT INTO messages (id, entity, seq, state, enqueued_at, scheduled_at, expires_at, delivery_count, session_id,
           message_id, ttl, durable, priority, ann, props, app, body, dl_source)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      delete: this.db.prepare('DELETE FROM messages WHERE id = ?'),
      updateDelivery: this.db.prepare(
        'UPDATE messages SET delivery_count = ?, app = ?, state = ? WHERE id = ?',
      ),
      move: this.db.prepare(
        'UPDATE messages SET entity = ?, state = ?, delivery_count = ?, app = ?, dl_source = ?, expires_at = ? WHERE id = ?',
      ),
      setState: this.db.prepare('UPDATE messages SET state = ? WHERE id = ?'),
      setSequence: this.db.prepare(
        'INSERT INTO sequences (entity, last_seq) VALUES (?, ?) ON CONFLICT(entity) DO UPDATE SET last_seq = excluded.last_seq',
      ),
      insertDuplicate: this.db.prepare(
        'INSERT INTO duplicates (entity, message_id, expires_at) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET expires_at = excluded.expires_at',
      ),
      pruneDuplicates: this.db.prepare('DELETE FROM duplicates WHERE expires_at <= ?'),
      setSessionState: this.db.prepare(
        'INSERT INTO session_states (entity, session_id, state) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET state = excluded.state',
      ),
      deleteSessionState: this.db.prepare('DELETE FROM session_states WHERE entity = ? AND session_id = ?'),
    };
  }

  load(): LoadedState {
    const rows = this.db
      .prepare(
        `SELECT id, entity, seq, state, enqueued_at, scheduled_at, CAST(expires_at AS REAL) AS expires_at,
           delivery_count, session_id, message_id, ttl, durable, priority, ann, props, app, body, dl_source
         FROM messages ORDER BY id`,
      )
      .all() as MessageRow[];
    const messages = rows.map((row): StoredMessage => ({
      id: row.id,
      entity: row.entity,
      sequenceNumber: row.seq,
      state: row.state,
      enqueuedAt: row.enqueued_at,
      scheduledAt: row.scheduled_at,
      expiresAt: row.expires_at,
      deliveryCount: row.delivery_count,
      sessionId: row.session_id,
      messageId: row.message_id,
      header: {
        ttl: row.ttl ?? undefined,
        durable: row.durable === null ? undefined : row.durable === 1,
        priority: row.priority ?? undefined,
      },
      annotations: asBuffer(row.ann),
      properties: asBuffer(row.props),
      applicationProperties: asBuffer(row.app),
      body: asBuffer(row.body),
      deadLetterSource: row.dl_source,
    }));
    const sequences = new Map<string, number>();
    for (const row of this.db.prepare('SELECT entity, last_seq FROM sequences').all() as {
      entity: string;
      last_seq: number;
    }[]) {
      sequences.set(row.entity, row.last_seq);
    }
    const duplicates = (
      this.db
        .prepare('SELECT entity, message_id, CAST(expires_at AS REAL) AS expires_at FROM duplicates')
        .all() as {
        entity: string;
        message_id: string;
        expires_at: number;
      }[]
    ).map((row) => ({ entity: row.entity, messageId: row.message_id, expiresAt: row.expires_at }));
    const sessionStates = (
      this.db.prepare('SELECT entity, session_id, state FROM session_states').all() as {
        entity: string;
        session_id: string;
        state: Uint8Array;
      }[]
    ).map((row) => ({ entity: row.entity, sessionId: row.session_id, state: asBuffer(row.state) }));
    const maxId =
      (this.db.prepare('SELECT max(id) AS id FROM messages').get() as { id: number | null }).id ?? 0;
    return { messages, sequences, duplicates, sessionStates, nextId: maxId + 1 };
  }

  /**
   * Enqueue: every copy of a sent batch (all subscriptions, all messages) plus sequence and duplicate bookkeeping;
   * `removeIds` lets a due scheduled topic message be replaced by its subscription copies in the same step.
   */
  enqueue(
    messages: readonly StoredMessage[],
    sequences: ReadonlyMap<string, number>,
    duplicates: readonly DuplicateRecord[],
    done: StoreCallback,
    removeIds: readonly number[] = [],
  ): void {
    this.schedule(() => {
      for (const id of removeIds) {
        this.statements.delete.run(id);
      }
      for (const message of messages) {
        this.statements.insert.run(...insertValues(message));
      }
      for (const [entity, last] of sequences) {
        this.statements.setSequence.run(entity, last);
      }
      for (const dup of duplicates) {
        this.statements.insertDuplicate.run(dup.entity, dup.messageId, dup.expiresAt);
      }
    }, done);
  }

  /** Complete (or receive-and-delete, expiry without dead-lettering, cancel of a scheduled message). */
  remove(ids: readonly number[], done: StoreCallback): void {
    this.schedule(() => {
      for (const id of ids) {
        this.statements.delete.run(id);
      }
    }, done);
  }

  /** Abandon / lock expiry / defer: new delivery count, possibly modified application properties, new state. */
  updateDelivery(message: StoredMessage, done: StoreCallback): void {
    const { deliveryCount, applicationProperties, state, id } = message;
    this.schedule(() => {
      this.statements.updateDelivery.run(deliveryCount, applicationProperties, state, id);
    }, done);
  }

  /** Dead-letter or forward: the message row moves to another entity, keeping its sequence number. */
  move(message: StoredMessage, done: StoreCallback): void {
    const { entity, state, deliveryCount, applicationProperties, deadLetterSource, expiresAt, id } = message;
    this.schedule(() => {
      this.statements.move.run(
        entity,
        state,
        deliveryCount,
        applicationProperties,
        deadLetterSource,
        expiresAt,
        id,
      );
    }, done);
  }

  /** A scheduled message reached its time. */
  setState(message: StoredMessage, done: StoreCallback): void {
    const { state, id } = message;
    this.schedule(() => {
      this.statements.setState.run(state, id);
    }, done);
  }

  setSessionState(entity: string, sessionId: string, state: Buffer | null, done: StoreCallback): void {
    this.schedule(() => {
      if (state === null) {
        this.statements.deleteSessionState.run(entity, sessionId);
      } else {
        this.statements.setSessionState.run(entity, sessionId, state);
      }
    }, done);
  }

  pruneDuplicates(now: number): void {
    this.schedule(
      () => {
        this.statements.pruneDuplicates.run(now);
      },
      () => undefined,
    );
  }

  /** Commits whatever is queued now (used by close and by tests that inspect the file). */
  flush(): void {
    this.flushScheduled = false;
    this.lastFlushAt = performance.now();
    if (this.pending.length === 0) {
      return;
    }
    const ops = this.pending.splice(0);
    const callbacks = this.callbacks.splice(0);
    let failure: Error | undefined;
    try {
      runSqliteTransaction(this.db, () => {
        for (const op of ops) {
          op();
        }
      });
    } catch (error) {
      failure = new Error(
        `servicebus message store: commit of ${ops.length} operations failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    for (const callback of callbacks) {
      callback(failure);
    }
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private schedule(op: () => void, done: StoreCallback): void {
    if (this.closed) {
      done(new Error('servicebus message store is closed'));
      return;
    }
    this.pending.push(op);
    this.callbacks.push(done);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // Under load (a commit less than 2 ms ago) wait a little so that more operations share one commit;
      // when idle, commit on the next turn.
      if (performance.now() - this.lastFlushAt < 2) {
        setTimeout(() => this.flush(), 2);
      } else {
        setImmediate(() => this.flush());
      }
    }
  }
}

/** A BLOB as read (Uint8Array) viewed as the Buffer the codec works with: same memory, no copy. */
function asBuffer(blob: Uint8Array): Buffer;
function asBuffer(blob: Uint8Array | null): Buffer | null;
function asBuffer(blob: Uint8Array | null): Buffer | null {
  return blob === null ? null : Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
}

/** The insert statement's values, in its column order. */
function insertValues(message: StoredMessage): (string | number | Uint8Array | null)[] {
  const { header } = message;
  return [
    message.id,
    message.entity,
    message.sequenceNumber,
    message.state,
    message.enqueuedAt,
    message.scheduledAt,
    message.expiresAt,
    message.deliveryCount,
    message.sessionId,
    message.messageId,
    header.ttl ?? null,
    header.durable === undefined ? null : header.durable ? 1 : 0,
    header.priority ?? null,
    message.annotations,
    message.properties,
    message.applicationProperties,
    message.body,
    message.deadLetterSource,
  ];
}

export { MessageState };
