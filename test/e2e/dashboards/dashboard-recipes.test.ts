import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerTokenCommand } from '../../../src/cli/commands/token.command.js';
import { httpFrom, type HttpAnswer } from '../../utils/http-from.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { DashboardContractChecker, type GatewayTarget } from './dashboard-contract-checker.js';
import {
  DASHBOARD_FILE,
  DATASOURCE_FILE,
  guidePointsPerRefresh,
  guideTokenArguments,
  powerBiRecipeFiles,
  readGuide,
} from './dashboard-files.js';
import { FunctionContracts } from './function-contracts.js';
import { readGrafanaDashboard, type GrafanaDashboard } from './grafana-dashboard.js';
import { readProvisionedDataSources, resolveInfinityDataSource } from './grafana-provisioning.js';
import { grafanaDurationMs, InfinityRequestBuilder, type RecipeRequest } from './infinity-request-builder.js';
import { powerQueryRequest, readPowerQueryRecipe, type PowerQueryRecipe } from './power-query-recipe.js';
import {
  csvAnswerProblems,
  csvRecordCount,
  expectedFromInfinity,
  expectedFromM,
  jsonAnswerProblems,
} from './recipe-answer-checker.js';

/**
 * The Grafana dashboard and the Power BI recipes against the whole runtime (`npm start` wiring) with the demo's
 * data — events from the simulated shop, published with the real Service Bus SDK and ingested into the embedded
 * engine: an API key created with the guide's `npx kqlgate token` line, the functions, parameters and columns
 * checked against the OpenAPI document the gateway serves that key, and every request sent over HTTP exactly as
 * Infinity or Power Query sends it.
 */

/** Dashboard time ranges the panels must work for: the time range picks each lookback and bin size. */
const RANGES = ['5m', '1h', '6h', '1d', '2d', '7d', '30d', '365d'] as const;
const DEFAULT_RANGE_MS = grafanaDurationMs('1d');

/** Panels whose rows depend on the simulated stock levels: they may be empty, their shape is still checked. */
const MAY_BE_EMPTY = new Set(['LowStock']);

interface Answer {
  readonly request: RecipeRequest;
  readonly answer: HttpAnswer;
}

/** Runs `kqlgate token …` in-process (the CLI's own code path) and returns the key and its API_KEYS_FILE entry. */
async function createKeyAsTheGuideSays(args: string[]): Promise<{ key: string; entry: unknown }> {
  const printed: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
  try {
    const program = new Command('kqlgate').exitOverride();
    registerTokenCommand(program);
    await program.parseAsync(['token', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  const [, keyLine, ...rest] = printed.join('').split('\n');
  const entryYaml = rest.slice(rest.findIndex((line) => line.startsWith('Add this entry')) + 1).join('\n');
  return { key: keyLine.trim(), entry: (parseYaml(entryYaml) as unknown[])[0] };
}

async function send(request: RecipeRequest): Promise<HttpAnswer> {
  return httpFrom('127.0.0.1', request.url, { method: request.method, headers: { ...request.headers } });
}

describe('Grafana and Power BI recipes against the real gateway', () => {
  let dir: string;
  let instance: KqlgateInstance;
  let apiKey: string;
  let dashboard: GrafanaDashboard;
  let contracts: FunctionContracts;
  let checker: DashboardContractChecker;
  let builder: InfinityRequestBuilder;
  let targets: GatewayTarget[];
  let recipes: PowerQueryRecipe[];

  beforeAll(async () => {
    dir = await tempDir('dashboards');
    const created = await createKeyAsTheGuideSays(guideTokenArguments(await readGuide()));
    apiKey = created.key;
    const keysFile = join(dir, 'api-keys.yaml');
    await writeFile(keysFile, toYaml({ keys: [created.entry] }));
    instance = await startKqlgateInstance({
      API_KEYS_FILE: keysFile,
      // As in production: the key sees only what it may call, in the OpenAPI document too.
      FUNCTION_VISIBILITY: 'callable',
      // The demo shop, small: a few thousand events of history, then live traffic with its injected fraud.
      DEMO_RATE: '2',
      DEMO_BACKFILL_EVENTS: '1500',
      // A budget the whole test fits in, over a window it does not leave, so RateLimit-Remaining adds up.
      RATE_LIMIT_POINTS: '100000',
      RATE_LIMIT_WINDOW_SECONDS: '3600',
    });
    dashboard = await readGrafanaDashboard(DASHBOARD_FILE);
    const [entry] = await readProvisionedDataSources(DATASOURCE_FILE);
    builder = new InfinityRequestBuilder(
      resolveInfinityDataSource(entry, { KQLGATE_URL: instance.url, KQLGATE_API_KEY: apiKey }),
      dashboard,
    );
    recipes = await Promise.all((await powerBiRecipeFiles()).map((file) => readPowerQueryRecipe(file)));
    const openapi = await send({
      method: 'GET',
      url: `${instance.url}/api/v1/openapi.json`,
      headers: { 'X-API-Key': apiKey },
    });
    expect(openapi.status, openapi.text).toBe(200);
    contracts = FunctionContracts.fromOpenApi(openapi.json());
    checker = new DashboardContractChecker(contracts);
    targets = checker.gatewayTargets(dashboard, entry.uid);

    // Wait for the demo's data: every panel and recipe that must show rows has some.
    const pending = new Set<string>();
    for (const deadline = Date.now() + 150_000; Date.now() < deadline;) {
      pending.clear();
      for (const { target, functionName } of targets) {
        const { status, text } = await send(builder.build(target, DEFAULT_RANGE_MS));
        const rows = status !== 200 ? 0 : target.type === 'csv' ? csvRecordCount(text) : rowCount(text);
        if (rows === 0 && !MAY_BE_EMPTY.has(functionName)) {
          pending.add(`${functionName}: ${status}`);
        }
      }
      for (const recipe of recipes) {
        const { status, text } = await send(recipeRequest(recipe));
        if (status !== 200 || (recipe.format === 'csv' ? csvRecordCount(text) : rowCount(text)) === 0) {
          pending.add(`${recipe.relativePath}: ${status}`);
        }
      }
      if (pending.size === 0) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expect([...pending], 'panels or recipes still without rows').toEqual([]);
    // Start-up (~15 s) plus the demo's first data (~20 s here) on a loaded 2-core machine, with room to spare.
  }, 240_000);

  afterAll(async () => {
    await instance?.stop();
    if (dir) {
      await removeDir(dir);
    }
  });

  const recipeRequest = (recipe: PowerQueryRecipe): RecipeRequest =>
    powerQueryRequest(recipe, { KqlgateUrl: instance.url, KqlgateApiKey: apiKey });

  function rowCount(text: string): number {
    const data = (JSON.parse(text) as { data?: unknown }).data;
    return Array.isArray(data) ? data.length : 0;
  }

  it('should name only functions, parameters and columns the gateway serves the key', () => {
    expect(checker.checkGrafana(dashboard, 'kqlgate', 'kqlgate-demo.json')).toEqual([]);
    expect(recipes.flatMap((recipe) => checker.checkPowerQuery(recipe))).toEqual([]);
  });

  it('should answer every panel request as Infinity sends it, for every dashboard range, in the panel shape', async () => {
    const answers = new Map<string, Answer & { readonly target: GatewayTarget }>();
    for (const range of RANGES) {
      for (const target of targets) {
        const request = builder.build(target.target, grafanaDurationMs(range));
        if (!answers.has(request.url)) {
          answers.set(request.url, { request, answer: await send(request), target });
        }
      }
    }
    const problems: string[] = [];
    for (const { request, answer, target } of answers.values()) {
      const where = `panel ${target.panel.id} ${request.url}`;
      const csv = target.target.type === 'csv';
      if (answer.status !== 200) {
        problems.push(`${where}: ${answer.status} ${answer.text}`);
        continue;
      }
      const contentType = String(answer.headers['content-type']);
      if (!contentType.startsWith(csv ? 'text/csv' : 'application/json')) {
        problems.push(`${where}: answered ${contentType}`);
        continue;
      }
      if (!answer.headers['ratelimit-policy'] || !answer.headers['ratelimit-remaining']) {
        problems.push(`${where}: no RateLimit-Policy / RateLimit-Remaining`);
      }
      const expected = expectedFromInfinity(target.target.columns ?? []);
      const shape = csv
        ? csvAnswerProblems(answer.text, expected)
        : jsonAnswerProblems(answer.json(), expected);
      problems.push(...shape.map((p) => `${where}: ${p}`));
      if (!csv) {
        const columns = answer
          .json<{ meta: { columns: { name: string }[] } }>()
          .meta.columns.map((c) => c.name);
        const missing = expected.filter((c) => !columns.includes(c.name)).map((c) => c.name);
        if (missing.length > 0) {
          problems.push(`${where}: meta.columns lacks ${missing.join(', ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Every time range bucket of every panel was tried: 8 ranges give several lookbacks and bin sizes each.
    expect(answers.size).toBeGreaterThan(targets.length * 3);
  });

  it('should answer each Power BI recipe request with rows in the columns and types it converts', async () => {
    for (const recipe of recipes) {
      const request = recipeRequest(recipe);
      expect(request.headers).toEqual({
        'X-API-Key': apiKey,
        Accept: recipe.format === 'csv' ? 'text/csv' : 'application/json',
      });
      const answer = await send(request);
      expect({ url: request.url, status: answer.status }).toEqual({ url: request.url, status: 200 });
      const expected = expectedFromM(recipe.columns);
      if (recipe.format === 'csv') {
        expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(csvRecordCount(answer.text)).toBeGreaterThan(0);
        expect(csvAnswerProblems(answer.text, expected)).toEqual([]);
      } else {
        const body = answer.json<{ data: unknown[]; meta: { truncated: boolean } }>();
        expect(body.data.length).toBeGreaterThan(0);
        // The recipes stop with an error on a cut table; the demo's tenant stays below every maxRows.
        expect(body.meta.truncated).toBe(false);
        expect(jsonAnswerProblems(body, expected)).toEqual([]);
      }
    }
  });

  it('should spend the points per dashboard refresh that the guide states', async () => {
    const remaining = (answer: HttpAnswer): number => Number(answer.headers['ratelimit-remaining']);
    const answers: HttpAnswer[] = [];
    for (const { target } of targets) {
      answers.push(await send(builder.build(target, DEFAULT_RANGE_MS)));
    }
    expect(answers.map((a) => a.status)).toEqual(targets.map(() => 200));
    // The first answer reports what was left after its own call: add its cost back.
    const before = remaining(answers[0]) + contracts.get(targets[0].functionName)!.cost;
    const spent = before - remaining(answers[answers.length - 1]);
    expect(spent).toBe(guidePointsPerRefresh(await readGuide()));
    expect(answers[0].headers['ratelimit-policy']).toBe('100000;w=3600');
  });
});
