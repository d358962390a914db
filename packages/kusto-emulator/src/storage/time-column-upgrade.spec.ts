import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../test/utils/temp-dir.js';
import { compileKql, decodeRows, duckDbSetupSql } from '../compiler/kql-compiler.js';
import { KustoDatabase } from './kusto-database.js';

describe('upgradeTimeColumns (through KustoDatabase.open)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await tempDir('time-upgrade');
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('should convert a file written with TIMESTAMP/INTERVAL columns to ticks, exactly and once', async () => {
    const file = join(dir, 'legacy.duckdb');
    // The layout an earlier kqlgate wrote: rows in main, the Kusto column types in kqlgate_meta.entities.
    const legacy = await DuckDBInstance.create(file);
    const setup = await legacy.connect();
    await setup.run('CREATE SCHEMA kqlgate_meta');
    await setup.run(
      'CREATE TABLE kqlgate_meta.entities (kind VARCHAR NOT NULL, table_name VARCHAR NOT NULL, name VARCHAR NOT NULL, body VARCHAR NOT NULL)',
    );
    const table = {
      name: 'Events',
      columns: [
        { name: 'At', type: 'datetime' },
        { name: 'Took', type: 'timespan' },
        { name: 'N', type: 'long' },
      ],
    };
    await setup.run(`INSERT INTO kqlgate_meta.entities VALUES ('table', '', 'Events', $1)`, [
      JSON.stringify(table),
    ]);
    await setup.run('CREATE TABLE "Events" ("At" TIMESTAMP, "Took" INTERVAL, "N" BIGINT)');
    await setup.run(
      `INSERT INTO "Events" VALUES (TIMESTAMP '2024-05-01 12:34:56.789012', INTERVAL 90 MINUTE + INTERVAL 5 MICROSECOND, 1), (TIMESTAMP '1601-01-01', INTERVAL 0 SECOND, 2)`,
    );
    setup.closeSync();
    legacy.closeSync();

    for (let open = 0; open < 2; open++) {
      const db = await KustoDatabase.open('legacy', file, () => Promise.resolve(duckDbSetupSql()));
      try {
        const statement = compileKql(
          'Events | order by N asc | project a = tostring(At), b = tostring(Took + 1tick), N',
          db.schema(),
        ).statements[0];
        const rows = await db.read(
          async (c) => (await c.runAndReadAll(statement.sql, statement.parameters as never)).getRows(),
          { compiledSql: true },
        );
        expect(decodeRows(statement.resultSchema, rows)).toEqual([
          ['2024-05-01T12:34:56.7890120Z', '01:30:00.0000051', 1],
          ['1601-01-01T00:00:00.0000000Z', '00:00:00.0000001', 2],
        ]);
      } finally {
        await db.close();
      }
    }
  }, 120_000);
});
