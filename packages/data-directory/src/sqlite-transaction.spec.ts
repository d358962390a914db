import { DatabaseSync, type DatabaseSyncInstance } from '@photostructure/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSqliteTransaction } from './sqlite-transaction.js';

describe('sqlite-transaction', () => {
  let db: DatabaseSyncInstance;

  const values = (): number[] =>
    (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: number }[]).map((row) => row.v);

  beforeEach(() => {
    db = new DatabaseSync(':memory:');
    db.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
  });

  afterEach(() => {
    db.close();
  });

  describe('runSqliteTransaction', () => {
    it("should commit the function's writes and return its result", () => {
      const result = runSqliteTransaction(db, () => {
        db.prepare('INSERT INTO t VALUES (1), (2)').run();
        return 'done';
      });
      expect(result).toBe('done');
      expect(db.isTransaction).toBe(false);
      expect(values()).toEqual([1, 2]);
    });

    it('should roll back every write of a function that throws, and rethrow its error', () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      expect(() =>
        runSqliteTransaction(db, () => {
          db.prepare('INSERT INTO t VALUES (2)').run();
          db.prepare('INSERT INTO t VALUES (1)').run();
        }),
      ).toThrow('UNIQUE constraint failed: t.v');
      expect(db.isTransaction).toBe(false);
      expect(values()).toEqual([1]);
    });

    it('should refuse to nest instead of committing the outer transaction early', () => {
      expect(() =>
        runSqliteTransaction(db, () => {
          db.prepare('INSERT INTO t VALUES (1)').run();
          runSqliteTransaction(db, () => db.prepare('INSERT INTO t VALUES (2)').run());
        }),
      ).toThrow('cannot start a transaction within a transaction');
      expect(values()).toEqual([]);
    });
  });
});
