/**
 * Databases written before datetimes and timespans became BIGINT 100 ns ticks stored them as DuckDB
 * `TIMESTAMP` (µs since 1970) and `INTERVAL`. Opening such a file converts those columns in place, once, in
 * one transaction, so `npm start` keeps the data of an earlier run; the conversion is exact (µs × 10).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TableEntry } from './catalog-types.js';
import { quoteIdent, quoteSqlString } from '../schema/kusto-types.js';
import { storageNameOf } from './storage-columns.js';

/** Microseconds from 0001-01-01 (tick origin) to 1970-01-01 (DuckDB's epoch). */
const KUSTO_EPOCH_OFFSET_US = '62135596800000000';

const LEGACY_TO_TICKS: Record<string, { from: string; using: (column: string) => string }> = {
  datetime: { from: 'TIMESTAMP', using: (c) => `(epoch_us(${c}) + ${KUSTO_EPOCH_OFFSET_US}) * 10` },
  timespan: { from: 'INTERVAL', using: (c) => `epoch_us(${c}) * 10` },
};

/** Converts legacy datetime/timespan columns of `tables` to ticks; returns how many columns changed. */
export async function upgradeTimeColumns(
  connection: DuckDBConnection,
  catalogName: string,
  tables: Iterable<TableEntry>,
  tableRef: (name: string) => string,
): Promise<number> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_catalog = ${quoteSqlString(catalogName)} AND table_schema = 'main'`,
  );
  const stored = new Map<string, string>();
  for (const row of reader.getRowsJS()) {
    const [table, column, type] = row as [string, string, string];
    stored.set(`${table}\u0000${column}`, type);
  }
  const statements: string[] = [];
  for (const table of tables) {
    for (const column of table.columns) {
      const legacy = LEGACY_TO_TICKS[column.type];
      const storageName = storageNameOf(column);
      if (legacy && stored.get(`${table.name}\u0000${storageName}`) === legacy.from) {
        const c = quoteIdent(storageName);
        statements.push(
          `ALTER TABLE ${tableRef(table.name)} ALTER COLUMN ${c} SET DATA TYPE BIGINT USING ${legacy.using(c)}`,
        );
      }
    }
  }
  if (statements.length === 0) {
    return 0;
  }
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const sql of statements) {
      await connection.run(sql);
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
  return statements.length;
}
