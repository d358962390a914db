/**
 * The KQL reference suite: every self-contained example of the reference's function, operator and plugin pages
 * (`cases/<family>.yaml`, see README.md) runs on ONE embedded engine started in this process, through the real
 * `azure-kusto-data` client, and is classified as passing, refused with the clear unsupported error, a marked
 * documentation error, another error, or WRONG. Any wrong answer fails the suite: what the engine cannot
 * answer as ADX does, it must refuse.
 *
 * The last test checks that the "Supported features" table in the package README matches these outcomes;
 * `npm run sync -w packages/kusto-emulator` (KQL_REFERENCE_SYNC=1) rewrites it instead.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClientRequestProperties, Client as KustoClient } from 'azure-kusto-data';
import { format, resolveConfig } from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKustoEmulator, type RunningKustoEmulator } from '../../src/kusto-emulator.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';
import { type ReferenceCase, loadReferenceFamilies } from './reference-case.js';
import { type CaseOutcome, type EngineAnswer, classify } from './reference-outcome.js';
import {
  SYNC_COMMAND,
  currentReferenceTable,
  renderReferenceTable,
  replaceReferenceTable,
} from './reference-table.js';

const DATABASE = 'analytics';
/** Queries in flight at once: enough to keep the engine busy on a shared 2-core machine, not more. */
const CONCURRENCY = 4;
/**
 * A generous bound per query, so that one runaway example cannot hang the suite, yet a loaded machine does not turn
 * a slow answer into an error (which would make the README table flap).
 */
const QUERY_TIMEOUT_MS = 120_000;
/** A sanity bound for the whole corpus (about 20 s of CPU; far longer on a loaded machine). */
const SUITE_TIMEOUT_MS = 600_000;

const packageRoot = resolve(import.meta.dirname, '..', '..');
const readmePath = join(packageRoot, 'README.md');
const syncing = process.env.KQL_REFERENCE_SYNC === '1';
const families = loadReferenceFamilies(join(import.meta.dirname, 'cases'));
const outcomes = new Map<string, CaseOutcome>();

describe('KQL reference examples (embedded engine via azure-kusto-data)', () => {
  let engine: RunningKustoEmulator;
  let dataDir: string;
  let client: KustoClient;

  beforeAll(async () => {
    dataDir = await tempDir('kql-reference');
    engine = await startKustoEmulator({ port: 0, dataDir, databases: [DATABASE] });
    client = new KustoClient(`Data Source=${engine.url};Initial Catalog=${DATABASE}`);
    // The first query loads the compiler (seconds); the examples should not pay for it within their timeout.
    await client.execute(DATABASE, 'print 1');
    const queue = families.flatMap((f) => f.cases.map((c) => ({ family: f.family, c })));
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        outcomes.set(next.c.name, classify(next.family, next.c, await answer(client, next.c)));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }, SUITE_TIMEOUT_MS);

  afterAll(async () => {
    client?.close();
    await engine?.close();
    await removeDir(dataDir);
  });

  for (const family of families) {
    describe(family.family, () => {
      for (const c of family.cases) {
        it(`should answer ${c.name} as documented or refuse it`, () => {
          const outcome = outcomes.get(c.name);
          expect(outcome, 'the case did not run').toBeDefined();
          expect(
            outcome?.status,
            `WRONG answer for ${c.title} (${c.page}, "${c.section}"):\n${c.kql}\n${outcome?.detail ?? ''}`,
          ).not.toBe('wrong');
        });
      }
    });
  }

  describe('README', () => {
    it('should show the supported-features table of these outcomes', async () => {
      const all = families.flatMap((f) => f.cases.map((c) => outcomes.get(c.name))).filter((o) => !!o);
      printSummary(all);
      const options = (await resolveConfig(readmePath)) ?? {};
      const section = (await format(renderReferenceTable(all), { ...options, parser: 'markdown' })).trimEnd();
      const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
      if (syncing) {
        writeFileSync(readmePath, replaceReferenceTable(readme, section));
        return;
      }
      expect(
        currentReferenceTable(readme),
        `packages/kusto-emulator/README.md's supported-features table is out of date: run \`${SYNC_COMMAND}\``,
      ).toBe(section);
    });
  });
});

async function answer(client: KustoClient, c: ReferenceCase): Promise<EngineAnswer> {
  const properties = new ClientRequestProperties();
  properties.setTimeout(QUERY_TIMEOUT_MS);
  try {
    const response = await client.execute(DATABASE, c.kql, properties);
    return {
      tables: response.primaryResults.map((table) => {
        // Cells as Kusto's JSON carries them: datetimes as ISO strings, timespans as [-][d.]hh:mm:ss[.fffffff].
        table.dateTimeParser = (value: string | null) => value;
        table.timeSpanParser = (value: string | null) => value;
        return {
          columns: table.columns.map((col) => ({ name: String(col.name), type: String(col.type) })),
          rows: [...table.rows()].map((row) => table.columns.map((_col, i) => row.getValueAt(i) as unknown)),
        };
      }),
    };
  } catch (error) {
    return { error: userFacingMessage(error) };
  }
}

/** The OneApiError message of an HTTP error, else the error's own message (in-band query errors). */
function userFacingMessage(error: unknown): string {
  const body = (error as { response?: { data?: { error?: { '@message'?: unknown; message?: unknown } } } })
    .response?.data;
  const detail = body?.error?.['@message'] ?? body?.error?.message;
  if (typeof detail === 'string') {
    return detail;
  }
  return error instanceof Error ? error.message : String(error);
}

function printSummary(all: CaseOutcome[]): void {
  const byFamily = new Map<string, Record<string, number>>();
  for (const o of all) {
    const counts = byFamily.get(o.family) ?? {};
    counts[o.status] = (counts[o.status] ?? 0) + 1;
    byFamily.set(o.family, counts);
  }
  const lines = [...byFamily].map(
    ([family, c]) =>
      `  ${family.padEnd(14)} pass ${c.pass ?? 0}  unsupported ${c.unsupported ?? 0}  docError ${c.docError ?? 0}` +
      `  failed ${c.failed ?? 0}  wrong ${c.wrong ?? 0}`,
  );
  const passed = all.filter((o) => o.status === 'pass').length;
  console.log(`[kql-reference] ${passed}/${all.length} cases pass as documented\n${lines.join('\n')}`);
  if (process.env.KQL_REFERENCE_DETAILS) {
    writeFileSync(
      process.env.KQL_REFERENCE_DETAILS,
      JSON.stringify(
        all.filter((o) => o.status !== 'pass'),
        null,
        1,
      ),
    );
  }
}
