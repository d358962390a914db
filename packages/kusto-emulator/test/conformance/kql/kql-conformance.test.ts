/**
 * KQL conformance suite: every case in `cases/*.yaml` is a KQL query over inline `datatable`,
 * `print` or `range` inputs with the rows ADX returns, taken from the KQL reference (each case cites its
 * page). The embedded Kusto engine is started once on a free 127.0.0.1 port and every case goes through
 * the real `azure-kusto-data` client, so what is checked is what an application observes.
 *
 * Accepted deviations from ADX (documented, not hidden by the cases):
 *   - `dcount`/`dcountif` may be exact; ADX is HyperLogLog-approximate. The cases use cardinalities small
 *     enough that ADX is exact too.
 *   - `percentile(s)` follow ADX's nearest-rank definition; cases pick inputs where it is unambiguous.
 *   - `sample`, `take` without sort, `rand()`, `any()`/`take_any()`: cases assert counts and membership only.
 *   - Real numbers are compared with a relative tolerance (1e-9 unless a case says otherwise).
 *
 * Against real ADX: set KQL_CONFORMANCE_ADX_URL (cluster query URL) and KQL_CONFORMANCE_ADX_DATABASE, and sign in
 * with `az login`; the same cases then check the expectations themselves. Case files with setup commands (they
 * create tables and functions) run there only with KQL_CONFORMANCE_ADX_SETUP=1.
 *
 * Cases marked `optional: true` (features the issue calls optional) are reported as skipped with the reason
 * when they fail, never as failures. Set KQL_CONFORMANCE_FAILURES=<path> to write a Markdown list of the
 * failing cases (e.g. `test/conformance/kql/FAILURES.md`) for the compiler engineer.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Readable } from 'node:stream';
import {
  ClientRequestProperties,
  Client as KustoClient,
  KustoConnectionStringBuilder,
} from 'azure-kusto-data';
import { DataFormat, StreamingIngestClient } from 'azure-kusto-ingest';
import { format, resolveConfig } from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import {
  type ActualTable,
  type CaseFile,
  type ConformanceCase,
  LEAK_PATTERN,
  diffTable,
  errorPattern,
  isErrorExpectation,
  isMultiTableExpectation,
  loadCaseFiles,
  userFacingMessage,
} from './conformance-case.js';

interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface EmulatorModule {
  startKustoEmulator(options: {
    port: number;
    dataDir: string;
    databases: string[];
  }): Promise<RunningEmulator>;
}

const DATABASE = 'analytics';
const packageRoot = resolve(import.meta.dirname, '..', '..', '..');
const emulatorPath = join(packageRoot, 'src', 'kusto-emulator.ts');
const caseFiles: CaseFile[] = loadCaseFiles(join(import.meta.dirname, 'cases'));

interface Outcome {
  area: string;
  name: string;
  kql: string;
  doc: string;
  optional: boolean;
  passed: boolean;
  reason?: string;
}
const outcomes: Outcome[] = [];

// The suite needs both halves of the engine: the server and the KQL compiler it loads on the first query.
const compilerPath = join(packageRoot, 'src', 'compiler', 'kql-compiler.ts');
const adxUrl = process.env.KQL_CONFORMANCE_ADX_URL;
const adxSetup = process.env.KQL_CONFORMANCE_ADX_SETUP === '1';
const missingParts = adxUrl ? [] : [emulatorPath, compilerPath].filter((p) => !existsSync(p));
const engineMissing = missingParts.length > 0;
if (engineMissing) {
  // Printed on purpose: a skipped conformance suite must never look like a passing one.
  console.warn(
    `[kql-conformance] SKIPPED: the embedded Kusto engine is not complete yet (missing ${missingParts.join(', ')}); ` +
      `${caseFiles.reduce((n, f) => n + f.cases.length, 0)} cases not run.`,
  );
}

/** Where the cases run: the embedded engine (default) or a real ADX database. */
interface Target {
  database: string;
  connection(): KustoConnectionStringBuilder;
  /** Real clusters are shared: only create tables and functions there when asked to. */
  runsSetup: boolean;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  if (adxUrl) {
    const database = process.env.KQL_CONFORMANCE_ADX_DATABASE;
    if (!database) {
      throw new Error('KQL_CONFORMANCE_ADX_URL is set but KQL_CONFORMANCE_ADX_DATABASE is not');
    }
    return {
      database,
      connection: () => KustoConnectionStringBuilder.withAzLoginIdentity(adxUrl),
      runsSetup: adxSetup,
      close: () => Promise.resolve(),
    };
  }
  const dataDir = await tempDir('kql-conformance');
  // Loaded by path so that this file compiles before the engine exists.
  const module = (await import(pathToFileURL(emulatorPath).href)) as EmulatorModule;
  const emulator = await module.startKustoEmulator({ port: 0, dataDir, databases: [DATABASE] });
  return {
    database: DATABASE,
    connection: () => new KustoConnectionStringBuilder(emulator.url),
    runsSetup: true,
    close: async () => {
      await emulator.close();
      await removeDir(dataDir);
    },
  };
}

const suiteTitle = adxUrl
  ? `KQL conformance (ADX ${adxUrl} via azure-kusto-data)`
  : 'KQL conformance (embedded engine via azure-kusto-data)';

describe.skipIf(engineMissing)(suiteTitle, () => {
  let target: Target | undefined;
  let client: KustoClient;
  const setupErrors = new Map<string, string>();

  beforeAll(async () => {
    target = await startTarget();
    client = new KustoClient(target.connection());
    const ingestClient = new StreamingIngestClient(target.connection());
    try {
      for (const file of caseFiles) {
        const needsSetup = file.setup.length > 0 || file.ingest.length > 0;
        if (needsSetup && !target.runsSetup) {
          setupErrors.set(
            file.file,
            'not run: the file needs setup commands (set KQL_CONFORMANCE_ADX_SETUP=1)',
          );
          continue;
        }
        const failure = await prepare(client, ingestClient, target.database, file);
        if (failure) {
          setupErrors.set(file.file, failure);
        }
      }
    } finally {
      ingestClient.close();
    }
  });

  afterAll(async () => {
    client?.close();
    await target?.close();
    await report();
  });

  for (const file of caseFiles) {
    describe(file.area, () => {
      for (const testCase of file.cases) {
        it(`should ${testCase.name}`, async (ctx) => {
          const setupError = setupErrors.get(file.file);
          const problems = setupError ? [setupError] : await runCase(client, target!.database, testCase);
          const passed = problems.length === 0;
          outcomes.push({
            area: file.area,
            name: testCase.name,
            kql: testCase.kql.trim(),
            doc: testCase.doc,
            optional: testCase.optional === true,
            passed,
            reason: passed ? undefined : problems.join('\n'),
          });
          if (!passed && testCase.optional) {
            ctx.skip(`optional feature failed: ${problems.join('; ').slice(0, 300)}`);
          }
          if (testCase.knownGap !== undefined) {
            if (!passed) {
              ctx.skip(`known gap of the embedded engine (${testCase.knownGap})`);
            }
            throw new Error(`this known gap is closed — remove its knownGap marker: ${testCase.knownGap}`);
          }
          expect(problems, `${testCase.kql}\n— see ${testCase.doc}`).toEqual([]);
        });
      }
    });
  }
});

/** Runs a file's setup commands and ingestions; returns why it failed, if it did. */
async function prepare(
  client: KustoClient,
  ingestClient: StreamingIngestClient,
  database: string,
  file: CaseFile,
): Promise<string | null> {
  for (const command of file.setup) {
    try {
      await client.execute(database, command.trim());
    } catch (error) {
      return `setup command failed: ${command.trim()}\n${userFacingMessage(error)}`;
    }
  }
  for (const step of file.ingest) {
    try {
      await ingestClient.ingestFromStream(Readable.from([Buffer.from(step.csv, 'utf8')]), {
        database,
        table: step.table,
        format: DataFormat.CSV,
      });
    } catch (error) {
      return `streaming ingestion into ${step.table} failed: ${userFacingMessage(error)}`;
    }
  }
  return null;
}

async function runCase(client: KustoClient, database: string, testCase: ConformanceCase): Promise<string[]> {
  let properties: ClientRequestProperties | undefined;
  if (testCase.parameters) {
    properties = new ClientRequestProperties();
    for (const [name, value] of Object.entries(testCase.parameters)) {
      properties.setParameter(name, value);
    }
  }
  const expectation = testCase.expect;
  let tables: ActualTable[];
  try {
    const response = await client.execute(database, testCase.kql, properties);
    tables = response.primaryResults.map((table) => ({
      columns: table.columns.map((c) => ({ name: String(c.name), type: String(c.type) })),
      rows: [...table.rows()].map((row) => table.columns.map((_c, i) => row.getValueAt(i) as unknown)),
    }));
  } catch (error) {
    const message = userFacingMessage(error);
    if (!isErrorExpectation(expectation)) {
      const leak = LEAK_PATTERN.test(message)
        ? ['the error message also leaks engine internals (SQL/DuckDB)']
        : [];
      return [`query failed: ${message}`, ...leak];
    }
    const problems: string[] = [];
    const pattern = errorPattern(expectation);
    if (!pattern.test(message)) {
      problems.push(`error message does not match /${pattern.source}/\n  actual: ${message}`);
    }
    if (LEAK_PATTERN.test(message)) {
      problems.push(`error message leaks engine internals: ${message}`);
    }
    return problems;
  }
  if (isErrorExpectation(expectation)) {
    return [
      `expected an error matching /${expectation.error}/ but the query returned ${JSON.stringify(tables)}`,
    ];
  }
  const expectedTables = isMultiTableExpectation(expectation) ? expectation.results : [expectation];
  if (tables.length !== expectedTables.length) {
    return [`expected ${expectedTables.length} result table(s), got ${tables.length}`];
  }
  return expectedTables.flatMap((want, i) =>
    diffTable(tables[i], want).map((p) => (expectedTables.length > 1 ? `table ${i}: ${p}` : p)),
  );
}

async function report(): Promise<void> {
  const areas = new Map<string, { passed: number; failed: number; optionalFailed: number }>();
  for (const o of outcomes) {
    const a = areas.get(o.area) ?? { passed: 0, failed: 0, optionalFailed: 0 };
    if (o.passed) {
      a.passed += 1;
    } else if (o.optional) {
      a.optionalFailed += 1;
    } else {
      a.failed += 1;
    }
    areas.set(o.area, a);
  }
  const lines = [...areas].map(
    ([area, a]) =>
      `  ${area.padEnd(22)} passed ${String(a.passed).padStart(4)}  failed ${String(a.failed).padStart(4)}` +
      `  optional-failed ${a.optionalFailed}`,
  );
  const total = outcomes.filter((o) => o.passed).length;
  console.log(`[kql-conformance] ${total}/${outcomes.length} cases passed\n${lines.join('\n')}`);
  const target = process.env.KQL_CONFORMANCE_FAILURES;
  if (target) {
    const failing = outcomes.filter((o) => !o.passed);
    const body = [
      '# KQL conformance failures',
      '',
      `Generated by \`KQL_CONFORMANCE_FAILURES=${target} npm test -- test/conformance/kql\` in packages/kusto-emulator: ` +
        `${total}/${outcomes.length} passed.`,
      '',
      '| area | passed | failed | optional failed |',
      '| --- | --- | --- | --- |',
      ...[...areas].map(([area, a]) => `| ${area} | ${a.passed} | ${a.failed} | ${a.optionalFailed} |`),
      '',
      ...failing.flatMap((o) => [
        `## ${o.area}: ${o.name}${o.optional ? ' (optional)' : ''}`,
        '',
        `Reference: ${o.doc}`,
        '',
        '```kusto',
        o.kql,
        '```',
        '',
        '```',
        o.reason ?? '',
        '```',
        '',
      ]),
    ];
    // Formatted like every committed Markdown file, so a refreshed report passes `prettier --check`.
    const path = resolve(packageRoot, target);
    const options = (await resolveConfig(path)) ?? {};
    writeFileSync(path, await format(body.join('\n'), { ...options, parser: 'markdown' }));
  }
}
