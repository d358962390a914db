import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../utils/ensure-built.js';
import { DashboardContractChecker } from './dashboard-contract-checker.js';
import {
  DASHBOARD_FILE,
  DASHBOARD_PROVIDER_FILE,
  DATASOURCE_FILE,
  guidePointsPerRefresh,
  powerBiRecipeFiles,
  readGuide,
} from './dashboard-files.js';
import { FunctionContracts } from './function-contracts.js';
import {
  readGrafanaDashboard,
  type GrafanaDashboard,
  type GrafanaPanel,
  type PanelTarget,
} from './grafana-dashboard.js';
import { readProvisionedDataSources, resolveInfinityDataSource } from './grafana-provisioning.js';
import { expandCustomInterval, InfinityRequestBuilder } from './infinity-request-builder.js';
import { powerQueryRequest, readPowerQueryRecipe, type PowerQueryRecipe } from './power-query-recipe.js';
import { csvAnswerProblems, jsonAnswerProblems } from './recipe-answer-checker.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/**
 * The dashboard files on their own, without a gateway: they parse, the checker finds nothing wrong in them against
 * the committed OpenAPI document (`kqlgate schema --openapi`), and it does report what breaks a dashboard — a column
 * or function that is gone, an undeclared or claim-bound parameter. The same checks run against a live gateway's
 * OpenAPI document in dashboard-recipes.test.ts.
 */
const OPENAPI_FILE = join(repoRoot, 'openapi.json');
const DS = 'kqlgate';

/** A copy of the dashboard with one target of one panel changed. */
function withTarget(
  dashboard: GrafanaDashboard,
  panelId: number,
  change: (t: PanelTarget) => PanelTarget,
): GrafanaDashboard {
  const copy = structuredClone(dashboard) as { panels: GrafanaPanel[] } & GrafanaDashboard;
  copy.panels = copy.panels.map((panel) =>
    panel.id === panelId ? { ...panel, targets: (panel.targets ?? []).map(change) } : panel,
  );
  return copy;
}

describe(DashboardContractChecker.name, () => {
  let checker: DashboardContractChecker;
  let dashboard: GrafanaDashboard;
  let recipes: PowerQueryRecipe[];

  beforeAll(async () => {
    checker = new DashboardContractChecker(
      FunctionContracts.fromOpenApi(JSON.parse(await readFile(OPENAPI_FILE, 'utf8'))),
    );
    dashboard = await readGrafanaDashboard(DASHBOARD_FILE);
    recipes = await Promise.all((await powerBiRecipeFiles()).map((file) => readPowerQueryRecipe(file)));
  });

  describe('checkGrafana', () => {
    it('should find nothing wrong in the shipped dashboard', () => {
      expect(checker.checkGrafana(dashboard, DS, 'kqlgate-demo.json')).toEqual([]);
      expect(
        checker
          .gatewayTargets(dashboard, DS)
          .map((t) => t.functionName)
          .sort(),
      ).toEqual([
        'CampaignKpis',
        'CampaignKpis',
        'FraudScores',
        'LowStock',
        'OrderThroughput',
        'PaymentFailureRate',
        'SupplyChainForecast',
      ]);
    });

    it('should report a column the function does not return', () => {
      const bogus = withTarget(dashboard, 1, (t) => ({
        ...t,
        columns: (t.columns ?? []).map((c) =>
          c.selector === 'RiskScore' ? { ...c, selector: 'RiskScor' } : c,
        ),
      }));
      expect(checker.checkGrafana(bogus, DS, 'kqlgate-demo.json')).toEqual([
        'kqlgate-demo.json: panel 1 "Riskiest accounts" target A: FraudScores has no output column RiskScor ' +
          '(it has: AccountId, CustomerId, RiskScore, RiskLevel, Attempts, Declines, TotalAmount, MaxAmount, ' +
          'AmountZScore, IpCountries, CardCountries, Devices, FirstSeen, LastSeen)',
      ]);
    });

    it('should report a function that is not exposed', () => {
      const gone = withTarget(dashboard, 8, (t) => ({ ...t, url: '/api/v1/functions/OrdersPerMinute' }));
      expect(checker.checkGrafana(gone, DS, 'd.json')).toEqual([
        'd.json: panel 8 "Orders per time bin" target A: no exposed function OrdersPerMinute (the OpenAPI document ' +
          'lists: CampaignKpis, CustomerCohorts, CustomerOrders, FraudScores, LateShipments, LowStock, ' +
          'OrderThroughput, PaymentFailureRate, RevenueInEur, SupplyChainForecast, TopProducts)',
      ]);
    });

    it('should report an undeclared parameter, a claim-bound one and an unknown variable', () => {
      const params = withTarget(dashboard, 7, (t) => ({
        ...t,
        url_options: {
          ...t.url_options,
          params: [
            { key: 'threshold', value: '$threshold' },
            { key: 'tenantId', value: 'fabrikam' },
            { key: 'sku', value: 'SKU-1' },
          ],
        },
      }));
      expect(checker.checkGrafana(params, DS, 'd.json')).toEqual([
        'd.json: panel 7 "Low stock (CSV)" target A: threshold uses $threshold, which is not a dashboard variable',
        'd.json: panel 7 "Low stock (CSV)" target A: tenantId is bound to the caller\'s claims in LowStock; the API key supplies it, remove it',
        'd.json: panel 7 "Low stock (CSV)" target A: LowStock has no parameter sku (it has: threshold, warehouse)',
      ]);
    });

    it('should report a column type that does not fit, and a time series without a timestamp', () => {
      const typed = withTarget(dashboard, 2, (t) => ({
        ...t,
        columns: (t.columns ?? []).map((c) => (c.selector === 'Period' ? { ...c, type: 'number' } : c)),
      }));
      expect(checker.checkGrafana(typed, DS, 'd.json')).toEqual([
        'd.json: panel 2 "Payment failure rate by method" target A: column Period is datetime in PaymentFailureRate; Infinity type number does not fit it',
        'd.json: panel 2 "Payment failure rate by method" target A: a time series needs a timestamp column',
      ]);
    });

    it('should report a panel reusing one that does not query kqlgate', () => {
      const reuse = withTarget(dashboard, 6, (t) => ({ ...t, panelId: 100 }));
      expect(checker.checkGrafana(reuse, DS, 'd.json')).toEqual([
        'd.json: panel 6 "Days of cover" target A: reuses panel 100, which has no kqlgate query',
      ]);
    });
  });

  describe('checkPowerQuery', () => {
    it('should find nothing wrong in the shipped recipes', () => {
      expect(recipes.map((r) => r.relativePath)).toEqual([
        'api/v1/functions/CampaignKpis',
        'api/v1/functions/FraudScores',
        'api/v1/functions/SupplyChainForecast',
      ]);
      expect(recipes.flatMap((recipe) => checker.checkPowerQuery(recipe))).toEqual([]);
    });

    it('should report a column the function does not return, and a key written into the query', () => {
      const fraud = recipes.find((r) => r.relativePath.endsWith('/FraudScores'))!;
      const bogus: PowerQueryRecipe = {
        ...fraud,
        file: 'FraudScores.pq',
        columns: [...fraud.columns, { name: 'Score', mType: 'type number' }],
        recordColumns: [...(fraud.recordColumns ?? []), 'Score'],
        headers: { ...fraud.headers, 'X-API-Key': { text: 'kqg_acme_0123' } },
      };
      expect(checker.checkPowerQuery(bogus)).toEqual([
        'FraudScores.pq: Headers must send X-API-Key from a Power BI parameter, not a text literal',
        'FraudScores.pq: FraudScores has no output column Score (it has: AccountId, CustomerId, RiskScore, RiskLevel, ' +
          'Attempts, Declines, TotalAmount, MaxAmount, AmountZScore, IpCountries, CardCountries, Devices, FirstSeen, LastSeen)',
      ]);
    });
  });

  describe('pointsPerRefresh', () => {
    it('should add up the cost of every kqlgate query, as the guide states', async () => {
      expect(checker.pointsPerRefresh(dashboard, DS)).toBe(guidePointsPerRefresh(await readGuide()));
    });
  });
});

describe(InfinityRequestBuilder.name, () => {
  describe('build', () => {
    it('should send what Infinity sends: base URL and path, sorted params, Accept per type, the secure header', async () => {
      const [entry] = await readProvisionedDataSources(DATASOURCE_FILE);
      const dataSource = resolveInfinityDataSource(entry, {
        KQLGATE_URL: 'https://kqlgate.example.com',
        KQLGATE_API_KEY: 'kqg_dashboards_00',
      });
      const dashboard = await readGrafanaDashboard(DASHBOARD_FILE);
      const builder = new InfinityRequestBuilder(dataSource, dashboard);
      const target = (id: number): PanelTarget => dashboard.panels.find((p) => p.id === id)!.targets![0];
      expect(builder.build(target(1), 3 * 3_600_000)).toEqual({
        method: 'GET',
        url: 'https://kqlgate.example.com/api/v1/functions/FraudScores?lookback=6h&maxAccounts=50&minScore=0.4',
        headers: {
          'User-Agent': 'Go-http-client/1.1',
          Accept: 'application/json;q=0.9,text/plain',
          'X-API-Key': 'kqg_dashboards_00',
        },
      });
      expect(builder.build(target(7), 86_400_000)).toEqual({
        method: 'GET',
        url: 'https://kqlgate.example.com/api/v1/functions/LowStock?threshold=100&warehouse=',
        headers: {
          'User-Agent': 'Go-http-client/1.1',
          Accept: 'text/csv; charset=utf-8',
          'X-API-Key': 'kqg_dashboards_00',
        },
      });
    });

    it('should refuse a URL outside the allowed hosts, as Infinity does', async () => {
      const [entry] = await readProvisionedDataSources(DATASOURCE_FILE);
      const dataSource = resolveInfinityDataSource(entry, {
        KQLGATE_URL: 'https://k.example',
        KQLGATE_API_KEY: 'k',
      });
      const dashboard = await readGrafanaDashboard(DASHBOARD_FILE);
      const elsewhere = {
        ...dashboard.panels.find((p) => p.id === 1)!.targets![0],
        url: '/api/v1/openapi.json',
      };
      expect(() => new InfinityRequestBuilder(dataSource, dashboard).build(elsewhere, 60_000)).toThrow(
        "Infinity refuses https://k.example/api/v1/openapi.json?lookback=15m&maxAccounts=50&minScore=0.4: it starts with none of the data source's allowed hosts (https://k.example/api/v1/functions/)",
      );
    });
  });

  describe('expandCustomInterval', () => {
    it("should pick the values of Infinity's documented examples", () => {
      const day = 86_400_000;
      expect(expandCustomInterval('$__customInterval(1m,1 MIN,1d)', day)).toBe('1d');
      expect(expandCustomInterval('$__customInterval(2d,2 DAYS,1d)', day)).toBe('2 DAYS');
      expect(expandCustomInterval('$__customInterval(5m,5 MINUTES,1d,1 DAY,10d,10 days,1d)', day)).toBe(
        '1 DAY',
      );
      expect(expandCustomInterval('$__customInterval(5m,5 MINUTES,1d,1 DAY,10d,10 days,1d)', 7 * day)).toBe(
        '10 days',
      );
      expect(expandCustomInterval('d=$__customInterval(5m,5m,1d,1d,10d,10d,30d)', 30 * day)).toBe('d=30d');
    });
  });
});

describe('readPowerQueryRecipe', () => {
  it('should read the request and the typed columns of a recipe, and build the URL Power Query sends', async () => {
    const recipe = await readPowerQueryRecipe(
      (await powerBiRecipeFiles()).find((f) => f.endsWith('FraudScores.pq'))!,
    );
    expect(recipe).toMatchObject({
      format: 'json',
      baseUrlParameter: 'KqlgateUrl',
      relativePath: 'api/v1/functions/FraudScores',
      query: { lookback: '1d', minScore: '0.4', maxAccounts: '1000' },
      headers: { 'X-API-Key': { parameter: 'KqlgateApiKey' }, Accept: { text: 'application/json' } },
    });
    expect(recipe.columns.slice(0, 3)).toEqual([
      { name: 'AccountId', mType: 'type text' },
      { name: 'CustomerId', mType: 'type text' },
      { name: 'RiskScore', mType: 'type number' },
    ]);
    expect(powerQueryRequest(recipe, { KqlgateUrl: 'https://k.example/', KqlgateApiKey: 'kqg_x' })).toEqual({
      method: 'GET',
      url: 'https://k.example/api/v1/functions/FraudScores?lookback=1d&minScore=0.4&maxAccounts=1000',
      headers: { 'X-API-Key': 'kqg_x', Accept: 'application/json' },
    });
  });

  it('should say what a recipe of another shape lacks', async () => {
    const dir = await tempDir('pq');
    try {
      const file = join(dir, 'Glued.pq');
      // A URL glued together: what the Power BI service cannot refresh, and what the recipes avoid.
      await writeFile(
        file,
        'let Source = Json.Document(Web.Contents(KqlgateUrl & "/api/v1/functions/FraudScores?lookback=1d")) in Source',
      );
      await expect(readPowerQueryRecipe(file)).rejects.toThrow(
        `${file}: Web.Contents(<parameter>, [...]) not found`,
      );
    } finally {
      await removeDir(dir);
    }
  });
});

describe('jsonAnswerProblems', () => {
  it('should report a column missing from the rows and a value its consumer cannot convert', () => {
    const body = {
      data: [
        { Sku: 'a', OnHand: 3, At: '2026-01-01T00:00:00.0000000Z' },
        { Sku: 'b', OnHand: 1.5 },
      ],
    };
    expect(
      jsonAnswerProblems(body, [
        { name: 'Sku', kind: 'text' },
        { name: 'OnHand', kind: 'integer' },
        { name: 'At', kind: 'datetime' },
      ]),
    ).toEqual(['data[1].OnHand = 1.5 is not integer', '1 of 2 rows have no At']);
    expect(jsonAnswerProblems({ rows: [] }, [])).toEqual(['the answer has no "data" list']);
  });
});

describe('csvAnswerProblems', () => {
  it('should read quoted fields and report a missing header and a value of the wrong kind', () => {
    const csv = 'Sku,Name,OnHand\r\n"a,1","say ""hi""",3\r\nb,"two\r\nlines",x\r\n';
    expect(
      csvAnswerProblems(csv, [
        { name: 'Sku', kind: 'text' },
        { name: 'OnHand', kind: 'integer' },
        { name: 'At', kind: 'datetime' },
      ]),
    ).toEqual(['the header row (Sku,Name,OnHand) has no At', 'record 2 OnHand = "x" is not integer']);
  });
});

describe('Grafana provisioning files', () => {
  it('should take the URL and the API key from the environment, and hold no key', async () => {
    const [entry, ...others] = await readProvisionedDataSources(DATASOURCE_FILE);
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      uid: DS,
      type: 'yesoreyeram-infinity-datasource',
      url: '${KQLGATE_URL}',
      jsonData: { allowedHosts: ['${KQLGATE_URL}/api/v1/functions/'], httpHeaderName1: 'X-API-Key' },
      secureJsonData: { httpHeaderValue1: '${KQLGATE_API_KEY}' },
    });
    expect(() => resolveInfinityDataSource(entry, { KQLGATE_URL: 'https://k.example' })).toThrow(
      'data source kqlgate: httpHeaderValue1 needs the environment variable KQLGATE_API_KEY',
    );
    for (const file of [
      DATASOURCE_FILE,
      DASHBOARD_PROVIDER_FILE,
      DASHBOARD_FILE,
      ...(await powerBiRecipeFiles()),
    ]) {
      expect({ file, key: /kqg_[A-Za-z0-9._-]+_[0-9a-f]{64}/.test(await readFile(file, 'utf8')) }).toEqual({
        file,
        key: false,
      });
    }
  });

  it('should load the dashboards from the folder the guide mounts them at', async () => {
    const provider = parseYaml(await readFile(DASHBOARD_PROVIDER_FILE, 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(provider.providers).toEqual([
      expect.objectContaining({ type: 'file', options: { path: '/var/lib/grafana/dashboards/kqlgate' } }),
    ]);
    expect(await readGuide()).toContain(':/var/lib/grafana/dashboards/kqlgate:ro');
  });
});

describe('docs/dashboards.md', () => {
  it('should show every Power BI recipe exactly as shipped', async () => {
    const guide = await readGuide();
    for (const file of await powerBiRecipeFiles()) {
      const text = (await readFile(file, 'utf8')).trimEnd();
      expect({ file, shown: guide.includes(`\`\`\`powerquery\n${text}\n\`\`\``) }).toEqual({
        file,
        shown: true,
      });
    }
  });
});
