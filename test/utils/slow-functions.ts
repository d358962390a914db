import { cp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Client as KustoClient } from 'azure-kusto-data';

/**
 * Functions that are slow on purpose, for tests of timeouts, cancellation and shutdown (added to a copy of kql/),
 * and probes of the engine's running queries.
 */

/** Seconds inside one row's series decomposition, where DuckDB checks for no interrupt; 10,000 points is in range. */
export const SLOW_FORECAST_KQL = `// Slow on purpose: the seasonality of a long series is searched inside one row.
// @expose roles=analyst timeout=2s
// @param points min=10 max=10000
.create-or-alter function with (docstring = 'Slow on purpose', folder = 'test')
SlowForecast(points: long = 10000) {
    range i from 1 to points step 1
    | summarize s = make_list(todouble(i % 7 + i % 3))
    | extend f = series_decompose_forecast(s, 10)
    | project n = array_length(f)
}
`;

/** Minutes of work DuckDB can interrupt between chunks, with a timeout far away. */
export const ENDLESS_KQL = `// Long on purpose: counts the 10^10 rows of a cross join.
// @expose roles=analyst timeout=60s
.create-or-alter function with (docstring = 'Long on purpose', folder = 'test')
Endless() {
    range a from 1 to 100000 step 1
    | extend k = 1
    | join kind=inner (range b from 1 to 100000 step 1 | extend k = 1) on k
    | count
}
`;

/** A copy of kql/ with the test functions added. */
export async function kqlWithTestFunctions(dir: string): Promise<string> {
  const kqlDir = join(dir, 'kql');
  await cp(resolve(import.meta.dirname, '../../kql'), kqlDir, { recursive: true });
  await writeFile(join(kqlDir, 'functions', 'SlowForecast.kql'), SLOW_FORECAST_KQL);
  await writeFile(join(kqlDir, 'functions', 'Endless.kql'), ENDLESS_KQL);
  return kqlDir;
}

/** The engine's `.show running queries`, as client request ids. */
export async function runningQueryIds(engine: KustoClient): Promise<string[]> {
  const response = await engine.executeMgmt('analytics', '.show running queries');
  return response.primaryResults[0]._rows.map((row: unknown[]) => String(row[0]));
}

export async function waitUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`${what} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
