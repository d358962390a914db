/**
 * Snapshot corpus (style lesson 9): every `test/kql-corpus/<name>.kql` is compiled and its SQL (a clause per
 * line, with its parameters) snapshotted to `__snapshots__/<name>.sql`; then it runs on DuckDB over a fixed
 * seed dataset and the rows are snapshotted as CSV. A file whose first line starts with `// error:` must fail
 * to compile; its message is snapshotted instead, so error wording is reviewed like SQL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema } from './compiler-types.js';
import { compileKql, duckDbSetupSql } from './kql-compiler.js';
import { decodeRows } from './result-decoder.js';

const corpusDir = resolve(import.meta.dirname, '../../test/kql-corpus');
const snapshotDir = join(corpusDir, '__snapshots__');
const NOW = new Date('2024-01-05T00:00:00Z');

const schema: DatabaseSchema = {
  name: 'analytics',
  tables: [
    {
      name: 'Events',
      columns: [
        { name: 'Ts', type: 'datetime' },
        { name: 'UserId', type: 'long' },
        { name: 'Kind', type: 'string' },
        { name: 'Region', type: 'string' },
        { name: 'Value', type: 'long' },
        { name: 'Score', type: 'real' },
        { name: 'Path', type: 'string' },
        { name: 'Props', type: 'dynamic' },
      ],
    },
    {
      name: 'Users',
      columns: [
        { name: 'UserId', type: 'long' },
        { name: 'Name', type: 'string' },
        { name: 'Country', type: 'string' },
      ],
    },
  ],
  functions: [
    {
      name: 'BigEvents',
      parameters: [{ name: 'minValue', type: 'long', defaultValue: '10' }],
      body: 'Events | where Value >= minValue',
    },
  ],
};

const SEED = [
  `CREATE TABLE "Events" AS SELECT
     638396640000000000 + i * 17 * 600000000 AS "Ts", -- ticks: 2024-01-01 + i × 17 min
     i % 20 AS "UserId",
     ['click', 'view', 'buy'][i % 3 + 1] AS "Kind",
     ['eu', 'us', 'apac', 'eu test'][i % 4 + 1] AS "Region",
     (i * 37) % 101 AS "Value",
     CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 13) * 1.5 END AS "Score",
     CASE WHEN i % 5 = 0 THEN '/api/orders/' || i ELSE '' END AS "Path",
     json_object('level', i % 4, 'tags', json_array('t' || (i % 3), 'x')) AS "Props"
   FROM range(200) AS r(i)`,
  `CREATE TABLE "Users" AS SELECT
     i AS "UserId",
     ['Anna', 'Bob', 'Jonny', 'ann', 'Lena', 'Zoe'][i % 6 + 1] || CASE WHEN i >= 6 THEN CAST(i AS VARCHAR) ELSE '' END AS "Name",
     ['DE', 'fr', 'US', 'de'][i % 4 + 1] AS "Country"
   FROM range(25) AS r(i)`,
];

let connection: DuckDBConnection;

beforeAll(async () => {
  compileKql('print 1', schema);
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  for (const sql of [...duckDbSetupSql(), ...SEED]) {
    await connection.run(sql);
  }
}, 120_000);

afterAll(() => {
  connection.closeSync();
});

function jsonParameter(value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return csvCell(JSON.stringify(value));
}

const cases = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.kql'))
  .sort()
  .map((f) => ({ name: f.replace(/\.kql$/, ''), kql: readFileSync(join(corpusDir, f), 'utf8') }));

describe('KQL corpus', () => {
  for (const c of cases) {
    const expectsError = c.kql.startsWith('// error:');
    it(`should ${expectsError ? 'reject' : 'compile and run'} ${c.name}`, async () => {
      if (expectsError) {
        let message = '(no error)';
        try {
          compileKql(c.kql, schema, {}, { now: NOW });
        } catch (error) {
          message = `${(error as { code?: string }).code}: ${(error as Error).message}`;
        }
        await expect(`${message}\n`).toMatchFileSnapshot(join(snapshotDir, `${c.name}.error.txt`));
        return;
      }
      const compiled = compileKql(c.kql, schema, {}, { now: NOW });
      const sql = compiled.statements
        .map((s) => `${s.sql};\n-- parameters: ${JSON.stringify(s.parameters.map(jsonParameter))}`)
        .join('\n\n');
      await expect(`${sql}\n`).toMatchFileSnapshot(join(snapshotDir, `${c.name}.sql`));
      const tables: string[] = [];
      for (const s of compiled.statements) {
        const reader = await connection.runAndReadAll(s.sql, s.parameters as never);
        const rows = decodeRows(s.resultSchema, reader.getRows());
        const header = s.resultSchema.map((col) => `${col.name}:${col.type}`).join(',');
        tables.push([header, ...rows.map((r) => r.map(csvCell).join(','))].join('\n'));
      }
      await expect(`${tables.join('\n\n')}\n`).toMatchFileSnapshot(join(snapshotDir, `${c.name}.csv`));
    });
  }
});
