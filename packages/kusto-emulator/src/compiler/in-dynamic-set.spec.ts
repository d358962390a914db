import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema, QueryParameterValues } from './compiler-types.js';
import { compileKql, duckDbSetupSql } from './kql-compiler.js';
import { decodeRows } from './result-decoder.js';

// Regression: `in (ids)` with a dynamic query parameter used to compare the column with the array's JSON text and
// matched nothing, which silently disabled ingestion's message-id dedup when the ids were bound as a parameter.
const db: DatabaseSchema = {
  name: 'analytics',
  tables: [
    {
      name: 'Events',
      columns: [
        { name: 'Id', type: 'string' },
        { name: 'N', type: 'long' },
        { name: 'Tags', type: 'dynamic' },
      ],
    },
  ],
  functions: [],
};

let connection: DuckDBConnection;

beforeAll(async () => {
  compileKql('print 1', db);
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  for (const sql of duckDbSetupSql()) {
    await connection.run(sql);
  }
  await connection.run(`CREATE TABLE "Events" ("Id" VARCHAR, "N" BIGINT, "Tags" JSON)`);
  await connection.run(`INSERT INTO "Events" VALUES
    ('a', 1, '["x", "y"]'), ('b', 2, '[]'), ('C', 3, '["z"]'), ('d', 4, NULL)`);
}, 120_000);

afterAll(() => {
  connection.closeSync();
});

async function rows(kql: string, params: QueryParameterValues = {}): Promise<unknown[][]> {
  const [statement] = compileKql(kql, db, params).statements;
  const reader = await connection.runAndReadAll(statement.sql, statement.parameters as never);
  return decodeRows(statement.resultSchema, reader.getRows());
}

const byId = '| project Id | order by Id asc';

describe('in / !in / in~ over a dynamic set', () => {
  it('should match the elements of a dynamic query parameter', async () => {
    const q = `declare query_parameters(ids:dynamic); Events | where Id in (ids) ${byId}`;
    expect(await rows(q, { ids: 'dynamic(["a", "C", "zz"])' })).toEqual([['C'], ['a']]);
    expect(await rows(q, { ids: 'dynamic([])' })).toEqual([]);
  });

  it('should negate and fold case over a dynamic query parameter', async () => {
    const ids = { ids: 'dynamic(["a", "c", null])' };
    expect(
      await rows(`declare query_parameters(ids:dynamic); Events | where Id !in (ids) ${byId}`, ids),
    ).toEqual([['C'], ['b'], ['d']]);
    expect(
      await rows(`declare query_parameters(ids:dynamic); Events | where Id in~ (ids) ${byId}`, ids),
    ).toEqual([['C'], ['a']]);
    expect(
      await rows(`declare query_parameters(ids:dynamic); Events | where Id !in~ (ids) ${byId}`, ids),
    ).toEqual([['b'], ['d']]);
  });

  it('should read the elements as the left operand type', async () => {
    expect(
      await rows(
        'declare query_parameters(ns:dynamic); Events | where N in (ns) | project N | order by N asc',
        {
          ns: 'dynamic([2, 4])',
        },
      ),
    ).toEqual([[2], [4]]);
  });

  it('should combine scalars with a computed array and test a per-row dynamic column', async () => {
    expect(await rows(`Events | where Id in ("b", pack_array("d", "a")) ${byId}`)).toEqual([
      ['a'],
      ['b'],
      ['d'],
    ]);
    expect(
      await rows(`Events | extend Own = pack_array(Id) | where "x" in (Tags) or Id in (Own) | count`),
    ).toEqual([[4]]);
    expect(await rows(`Events | where "z" in (Tags) ${byId}`)).toEqual([['C']]);
  });
});
