import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseSchema } from './compiler-types.js';
import { compileKql, duckDbSetupSql, KqlCompileError } from './kql-compiler.js';
import { decodeRows } from './result-decoder.js';

const db: DatabaseSchema = {
  name: 'analytics',
  tables: [
    {
      name: 'Events',
      columns: [
        { name: 'Ts', type: 'datetime' },
        { name: 'Kind', type: 'string' },
        { name: 'Value', type: 'long' },
        { name: 'Score', type: 'real' },
        { name: 'Props', type: 'dynamic' },
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

let connection: DuckDBConnection;

beforeAll(async () => {
  // Loading Kusto.Language and its first analysis (JIT) take seconds on a busy machine.
  compileKql('print 1', db);
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  for (const sql of duckDbSetupSql()) {
    await connection.run(sql);
  }
  await connection.run(
    `CREATE TABLE "Events" ("Ts" BIGINT, "Kind" VARCHAR, "Value" BIGINT, "Score" DOUBLE, "Props" JSON)`,
  );
  // Datetimes are stored as 100 ns ticks since 0001-01-01: 638396640000000000 is 2024-01-01T00:00:00Z.
  await connection.run(`INSERT INTO "Events" VALUES
    (638396646000000000, 'click', 5, 1.5, '{"a":{"b":1},"tags":["x","y"]}'),
    (638396670000000000, 'view', 20, 2.5, '{"a":{"b":2},"tags":[]}'),
    (638396694000000000, 'click', 30, NULL, '{"a":{"b":3},"tags":["z"]}'),
    (638396718000000000, 'Buy Now', 40, 4.0, NULL)`);
}, 120_000);

afterAll(() => {
  connection.closeSync();
});

async function run(kql: string, params = {}): Promise<{ columns: string[]; rows: unknown[][] }[]> {
  const compiled = compileKql(kql, db, params, { now: new Date('2024-01-02T00:00:00Z') });
  const out = [];
  for (const s of compiled.statements) {
    const reader = await connection.runAndReadAll(s.sql, s.parameters as never);
    out.push({
      columns: s.resultSchema.map((c) => `${c.name}:${c.type}`),
      rows: decodeRows(s.resultSchema, reader.getRows()),
    });
  }
  return out;
}

async function rows(kql: string, params = {}): Promise<unknown[][]> {
  return (await run(kql, params))[0].rows;
}

describe('compileKql', () => {
  it('should filter, project and take', async () => {
    expect(
      await rows('Events | where Value > 10 | project Kind, Value | order by Value asc | take 2'),
    ).toEqual([
      ['view', 20],
      ['click', 30],
    ]);
  });

  it('should name summarize columns as ADX does', async () => {
    const [r] = await run('Events | summarize count(), sum(Value), avg(Score) by Kind | order by Kind asc');
    expect(r.columns).toEqual(['Kind:string', 'count_:long', 'sum_Value:long', 'avg_Score:real']);
    expect(r.rows).toEqual([
      ['Buy Now', 1, 40, 4],
      ['click', 2, 35, 1.5],
      ['view', 1, 20, 2.5],
    ]);
  });

  it('should bin datetimes', async () => {
    expect(await rows('Events | summarize c = count() by bin(Ts, 1h) | order by Ts asc')).toEqual([
      ['2024-01-01T00:00:00.0000000Z', 2],
      ['2024-01-01T01:00:00.0000000Z', 1],
      ['2024-01-01T02:00:00.0000000Z', 1],
    ]);
  });

  it('should evaluate print and datatable', async () => {
    expect(
      await rows('print x = 7 / 2, y = 7 / 2.0, s = strcat("a", 1), t = tostring(datetime(2024-01-01))'),
    ).toEqual([[3, 3.5, 'a1', '2024-01-01T00:00:00.0000000Z']]);
    expect(await rows('datatable(a:long, b:string)[1, "x", 2, "y"] | where a > 1')).toEqual([[2, 'y']]);
  });

  it('should match terms with has and strings case-insensitively', async () => {
    expect(await rows('Events | where Kind has "now" | project Kind')).toEqual([['Buy Now']]);
    expect(await rows('Events | where Kind has "no" | project Kind')).toEqual([]);
    expect(await rows('Events | where Kind =~ "CLICK" | count')).toEqual([[2]]);
    expect(await rows('Events | where Kind contains "UY" | count')).toEqual([[1]]);
    expect(await rows('Events | where Kind contains_cs "UY" | count')).toEqual([[0]]);
  });

  it('should access dynamic properties', async () => {
    expect(
      await rows(
        'Events | where Props.a.b >= 2 | project b = tolong(Props.a.b), t = Props["tags"] | order by b asc',
      ),
    ).toEqual([
      [2, []],
      [3, ['z']],
    ]);
  });

  it('should expand stored functions with defaults and named arguments', async () => {
    expect(await rows('BigEvents | count')).toEqual([[3]]);
    expect(await rows('BigEvents(minValue=25) | count')).toEqual([[2]]);
  });

  it('should bind declared query parameters', async () => {
    expect(
      await rows(
        'declare query_parameters(since:datetime, k:string); Events | where Ts > since and Kind == k | count',
        {
          since: 'datetime(2024-01-01 00:30)',
          k: 'click',
        },
      ),
    ).toEqual([[1]]);
  });

  it('should reject missing parameters with PARAMETER', () => {
    expect(() => compileKql('declare query_parameters(k:string); Events | where Kind == k', db)).toThrow(
      /query parameter 'k' \(string\) is declared without a default and no value was supplied \(at 1:26\)/,
    );
  });

  it('should report syntax and semantic errors with positions', () => {
    try {
      compileKql('Events | whre Value > 1', db);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(KqlCompileError);
      expect((e as KqlCompileError).code).toBe('SYNTAX');
      expect((e as KqlCompileError).message).toMatch(/at 1:\d+/);
    }
    expect(() => compileKql('Events | where Nope > 1', db)).toThrow(/KS\d+: .*'Nope'.*\(at 1:16\)/);
  });

  it('should reject unsupported operators by name and position', () => {
    expect(() => compileKql('Events | evaluate bag_unpack(Props)', db)).toThrow(KqlCompileError);
    try {
      compileKql('Events | evaluate bag_unpack(Props)', db);
    } catch (e) {
      expect((e as KqlCompileError).code).toBe('UNSUPPORTED');
      expect((e as Error).message).toMatch(/evaluate.*\(at 1:10\)/);
    }
  });

  it('should join innerunique by default and leftouter on request', async () => {
    const kql = `let K = datatable(Kind:string, Label:string)["click","C","click","C2","view","V"];
      Events | join kind=leftouter K on Kind | project Kind, Label | order by Kind asc, Label asc`;
    expect(await rows(kql)).toEqual([
      ['Buy Now', ''],
      ['click', 'C'],
      ['click', 'C'],
      ['click', 'C2'],
      ['click', 'C2'],
      ['view', 'V'],
    ]);
    const inner = `let L = datatable(k:long, a:string)[1,"x",1,"y"]; let R = datatable(k:long, b:string)[1,"r"];
      L | join R on k | count`;
    expect(await rows(inner)).toEqual([[1]]);
  });

  it('should compute arg_max with all columns', async () => {
    const [r] = await run(
      'Events | summarize arg_max(Value, *) by Kind | order by Kind asc | project Kind, Value, Score',
    );
    expect(r.rows).toEqual([
      ['Buy Now', 40, 4],
      ['click', 30, null],
      ['view', 20, 2.5],
    ]);
  });

  it('should return several result tables', async () => {
    const r = await run('Events | count; print 1');
    expect(r.map((t) => t.rows)).toEqual([[[4]], [[1]]]);
  });

  it('should make series with defaults', async () => {
    const [r] = await run(
      'Events | make-series c = count() default = 0 on Ts from datetime(2024-01-01) to datetime(2024-01-01 04:00) step 1h',
    );
    expect(r.columns).toEqual(['c:dynamic', 'Ts:dynamic']);
    expect(r.rows[0][0]).toEqual([2, 1, 1, 0]);
  });

  it('should mv-expand arrays', async () => {
    expect(
      await rows('Events | mv-expand t = Props.tags to typeof(string) | project t | order by t asc'),
    ).toEqual([[''], ['x'], ['y'], ['z']]);
  });

  it('should sort nulls as ADX does', async () => {
    expect(await rows('Events | project Score | sort by Score')).toEqual([[4], [2.5], [1.5], [null]]);
    expect(await rows('Events | project Score | sort by Score asc')).toEqual([[null], [1.5], [2.5], [4]]);
  });

  it('should serialize with row_number and prev', async () => {
    expect(
      await rows('Events | order by Value asc | extend rn = row_number(), p = prev(Value) | project rn, p'),
    ).toEqual([
      [1, null],
      [2, 5],
      [3, 20],
      [4, 30],
    ]);
  });
});

describe('compileKql fork', () => {
  it('should return one result table per fork branch', async () => {
    const r = await run('Events | fork (where Value > 10 | count) (summarize m = max(Value))');
    expect(r.map((t) => t.rows)).toEqual([[[3]], [[40]]]);
  });
});

describe('compileKql row_number', () => {
  it('should restart numbering when the restart condition holds', async () => {
    expect(
      await rows(`datatable(g:string, v:long) ["a", 1, "a", 2, "b", 3, "b", 4, "b", 5]
        | sort by g asc, v asc
        | extend rn = row_number(1, prev(g) != g)`),
    ).toEqual([
      ['a', 1, 1],
      ['a', 2, 2],
      ['b', 3, 1],
      ['b', 4, 2],
      ['b', 5, 3],
    ]);
  });
});

describe('compileKql column names', () => {
  // Stored like the engine stores `.create table Twins (a:long, A:string)`: DuckDB names are case-insensitive.
  const twinsDb: DatabaseSchema = {
    name: 'analytics',
    tables: [
      {
        name: 'Twins',
        columns: [
          { name: 'a', type: 'long' },
          { name: 'A', type: 'string', storageName: 'A~2' },
        ],
      },
    ],
    functions: [],
  };

  beforeAll(async () => {
    await connection.run(`CREATE TABLE "Twins" ("a" BIGINT, "A~2" VARCHAR)`);
    await connection.run(`INSERT INTO "Twins" VALUES (1, 'one'), (2, 'two')`);
  });

  async function twinRows(kql: string): Promise<{ columns: string[]; sql: string; rows: unknown[][] }> {
    const [statement] = compileKql(kql, twinsDb).statements;
    const reader = await connection.runAndReadAll(statement.sql, statement.parameters as never);
    return {
      columns: statement.resultSchema.map((c) => `${c.name}:${c.type}`),
      sql: statement.sql,
      rows: decodeRows(statement.resultSchema, reader.getRows()),
    };
  }

  it('should keep columns differing only in case apart under case-distinct SQL names', async () => {
    const result = await twinRows('print A = 1, a = 2 | project a, A');
    expect(result.columns).toEqual(['a:long', 'A:long']);
    expect(result.rows).toEqual([[2, 1]]);
    // The first of two twins keeps its spelling; results are read by position, so `a~2` never shows.
    expect(result.sql).toContain('CAST($1 AS BIGINT) AS "A", CAST($2 AS BIGINT) AS "a~2"');
  });

  it('should read stored case twins from their own DuckDB columns', async () => {
    const result = await twinRows('Twins | where a > 1 | project A, a, b = a * 10');
    expect(result.columns).toEqual(['A:string', 'a:long', 'b:long']);
    expect(result.rows).toEqual([['two', 2, 20]]);
  });

  it('should rename stored columns when the query names a twin first', async () => {
    const result = await twinRows("print A = 'two' | join kind=inner Twins on A");
    expect(result.columns).toEqual(['A:string', 'a:long', 'A1:string']);
    expect(result.rows).toEqual([['two', 2, 'two']]);
    expect(result.sql).toContain('SELECT "a" AS "a~2", "A~2" AS "A"\n');
  });
});

describe('compileKql make_list', () => {
  it('should put datetimes into lists in Kusto text form', async () => {
    expect(await rows('Events | where Value < 10 | summarize l = make_list(Ts)')).toEqual([
      [['2024-01-01T00:10:00.0000000Z']],
    ]);
  });
});
