/**
 * Opens one of the demo's SQLite files (the OLTP store, the operational store) the way both are kept: WAL with
 * `synchronous=NORMAL` — durable across a killed process, which is what the outbox and "settle after the commit"
 * rely on; only a power loss can drop the last commits — and a busy timeout, because `kqlgate demo check` reads
 * while the producer and the consumer write.
 */
// node:sqlite's API with prebuilt binaries (installing compiles nothing); the import becomes 'node:sqlite' (types
// DatabaseSync, StatementSync) once Node 22, where node:sqlite needs --experimental-sqlite, is dropped from `engines`.
import { DatabaseSync, type DatabaseSyncInstance } from '@photostructure/sqlite';

export type { DatabaseSyncInstance, StatementSyncInstance } from '@photostructure/sqlite';

/** Opens (creating if needed) `file` and applies `schema` (CREATE … IF NOT EXISTS statements). */
export function openDemoDatabase(file: string, schema: string): DatabaseSyncInstance {
  const db = new DatabaseSync(file);
  db.exec(`
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = NORMAL;
    PRAGMA busy_timeout = 5000;
  `);
  db.exec(schema);
  return db;
}
