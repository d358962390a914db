/**
 * What a JavaScript scalar function (DuckDBConnection.registerScalarFunction, see
 * src/compiler/sql/functions/js-scalar-functions.ts) costs per row against SQL: the same column hashed by
 *  - DuckDB's own `hash()` (C++, the cost floor of a SQL built-in),
 *  - an SQL macro of the engine (`kql_ipv4_groups`: regex, casts and arithmetic on each row),
 *  - the JavaScript `kql_xxhash64_string` / `kql_xxhash64_long` behind ADX's `hash()`;
 *  - on a double column, DuckDB's `exp()` against the JavaScript `kql_erf` behind KQL's `erf()`.
 * Rows are generated inside DuckDB (1,000,000; 5,000,000 with BENCH_FULL=1). Each query runs once to warm up, then
 * 5 times; the median is reported, and per-row cost is (median - scan median) / rows, the scan being the same
 * aggregate over the bare column. On a shared machine the figures move with the load: compare within one run.
 */
import { performance } from 'node:perf_hooks';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { duckDbSetupSql, registerJsScalarFunctions } from '@kqlgate/kusto-emulator/compiler';
import type { BenchContext, BenchRow, BenchSuite } from './bench-types.js';

const RUNS = 5;

interface Variant {
  name: string;
  sql: string;
  note: string;
}

const VARIANTS: readonly Variant[] = [
  { name: 'scan (no function)', sql: 'SELECT max(length(s)) FROM t', note: 'baseline' },
  { name: 'SQL built-in hash(s)', sql: 'SELECT max(hash(s)) FROM t', note: 'C++ built-in' },
  {
    name: 'SQL macro kql_ipv4_groups(ip)',
    sql: 'SELECT max(kql_ipv4_groups(ip).v) FROM t',
    note: 'regex + casts in SQL',
  },
  {
    name: 'JS kql_xxhash64_string(s)',
    sql: 'SELECT max(kql_xxhash64_string(s)) FROM t',
    note: 'hash(string)',
  },
  { name: 'JS kql_xxhash64_long(n)', sql: 'SELECT max(kql_xxhash64_long(n)) FROM t', note: 'hash(datetime)' },
  // A numeric function of one double each way: DuckDB's C++ exp() against stdlib's erf() behind KQL's erf().
  { name: 'SQL built-in exp(x)', sql: 'SELECT max(exp(x)) FROM t', note: 'exp(real)' },
  { name: 'JS kql_erf(x)', sql: 'SELECT max(kql_erf(x)) FROM t', note: 'erf(real), @stdlib' },
];

async function median(connection: DuckDBConnection, sql: string): Promise<number> {
  await connection.run(sql);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await connection.run(sql);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

export const suite: BenchSuite = {
  name: 'kql-functions',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows = ctx.full ? 5_000_000 : 1_000_000;
    const connection = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      for (const sql of duckDbSetupSql()) {
        await connection.run(sql);
      }
      await registerJsScalarFunctions(connection);
      ctx.log(`kql-functions: generating ${rows} rows`);
      await connection.run(
        `CREATE TABLE t AS SELECT 'user-' || i AS s, i * 7919 AS n, '10.' || (i % 256) || '.' || (i // 256 % 256) || '.1' AS ip, i / ${rows} AS x FROM range(${rows}) r(i)`,
      );
      const out: BenchRow[] = [];
      let scan = 0;
      for (const variant of VARIANTS) {
        ctx.log(`kql-functions: ${variant.name}`);
        const ms = await median(connection, variant.sql);
        if (variant.note === 'baseline') {
          scan = ms;
        }
        out.push({
          benchmark: variant.name,
          metric: `median of ${RUNS}, ${rows} rows`,
          value: ms,
          unit: 'ms',
        });
        if (variant.note !== 'baseline') {
          out.push({
            benchmark: variant.name,
            metric: 'per row beyond the scan',
            value: (Math.max(ms - scan, 0) * 1e6) / rows,
            unit: 'ns',
            note: variant.note,
          });
        }
      }
      return out;
    } finally {
      connection.closeSync();
    }
  },
};
