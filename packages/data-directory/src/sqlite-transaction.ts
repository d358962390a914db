/**
 * One SQLite transaction around a synchronous function, for the stores kept in the data directory (the broker's
 * message store, the demo's OLTP and operational databases). node:sqlite's `DatabaseSync` — and
 * `@photostructure/sqlite`, which provides its API on Node 22 — has no `transaction()` wrapper, so this is it:
 * BEGIN, run, COMMIT; on any failure (the function's or COMMIT's own) ROLLBACK and rethrow, so the caller sees
 * either all of the function's writes or none.
 *
 * Structural, so this package does not depend on an SQLite binding.
 */
export interface SqliteTransactionTarget {
  exec(sql: string): void;
  /** True while a transaction is open: SQLite may already have rolled back on its own (e.g. SQLITE_FULL). */
  readonly isTransaction: boolean;
}

/** Runs `fn` inside BEGIN … COMMIT and returns its result; not reentrant (a nested call fails on BEGIN). */
export function runSqliteTransaction<T>(db: SqliteTransactionTarget, fn: () => T): T {
  db.exec('BEGIN');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.isTransaction) {
      db.exec('ROLLBACK');
    }
    throw error;
  }
}
