import type { FunctionContract, FunctionContracts } from './function-contracts.js';
import {
  allPanels,
  DASHBOARD_DATASOURCE_UID,
  type GrafanaDashboard,
  type GrafanaPanel,
  type PanelTarget,
} from './grafana-dashboard.js';
import type { PowerQueryRecipe } from './power-query-recipe.js';

/** Kusto output types each Infinity column type may read (`string` takes anything as text). */
const INFINITY_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set([
    'string',
    'guid',
    'timespan',
    'dynamic',
    'bool',
    'decimal',
    'datetime',
    'int',
    'long',
    'real',
  ]),
  number: new Set(['int', 'long', 'real', 'decimal']),
  timestamp: new Set(['datetime']),
  boolean: new Set(['bool']),
};

/** Kusto output types each M type of a recipe's Table.TransformColumnTypes may convert. */
const M_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  'type text': new Set(['string', 'guid', 'timespan', 'dynamic']),
  'Int64.Type': new Set(['int', 'long']),
  'type number': new Set(['int', 'long', 'real', 'decimal']),
  'type datetimezone': new Set(['datetime']),
  'type duration': new Set(['timespan']),
  'type logical': new Set(['bool']),
};

const FUNCTION_URL = /^\/?api\/v1\/functions\/([^/?#]+)$/;
const ACCEPT_BY_FORMAT = { json: 'application/json', csv: 'text/csv' } as const;

/** One panel target of a dashboard that queries kqlgate, with the function its URL names. */
export interface GatewayTarget {
  readonly panel: GrafanaPanel;
  readonly target: PanelTarget;
  readonly functionName: string;
}

/**
 * Checks that the dashboards and recipes ask kqlgate only for what it serves: exposed functions, the parameters
 * they declare (never a claim-bound one), and output columns that exist with a type the consumer can read. Each
 * problem is one line naming the file, the panel or recipe, and what to change.
 */
export class DashboardContractChecker {
  constructor(private readonly contracts: FunctionContracts) {}

  /** Problems of a Grafana dashboard whose kqlgate queries go through the Infinity data source `dataSourceUid`. */
  checkGrafana(dashboard: GrafanaDashboard, dataSourceUid: string, file: string): string[] {
    const problems: string[] = [];
    const variables = new Set((dashboard.templating?.list ?? []).map((v) => v.name));
    const panels = allPanels(dashboard);
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        const where = `${file}: panel ${panel.id} "${panel.title}" target ${target.refId}`;
        const uid = target.datasource?.uid ?? panel.datasource?.uid;
        if (uid === DASHBOARD_DATASOURCE_UID) {
          const source = panels.find((p) => p.id === target.panelId);
          if (
            !source ||
            !(source.targets ?? []).some(
              (t) => (t.datasource?.uid ?? source.datasource?.uid) === dataSourceUid,
            )
          ) {
            problems.push(`${where}: reuses panel ${String(target.panelId)}, which has no kqlgate query`);
          }
          continue;
        }
        if (uid !== dataSourceUid) {
          problems.push(
            `${where}: data source uid ${String(uid)} is not the kqlgate data source (${dataSourceUid})`,
          );
          continue;
        }
        problems.push(...this.checkInfinityTarget(target, variables, where));
      }
    }
    return problems;
  }

  /** The panel targets that call kqlgate, with their function (only those the checker found usable). */
  gatewayTargets(dashboard: GrafanaDashboard, dataSourceUid: string): GatewayTarget[] {
    return allPanels(dashboard).flatMap((panel) =>
      (panel.targets ?? [])
        .filter((target) => (target.datasource?.uid ?? panel.datasource?.uid) === dataSourceUid)
        .map((target) => ({ panel, target, functionName: FUNCTION_URL.exec(target.url ?? '')?.[1] ?? '' })),
    );
  }

  /** Rate-limit points one refresh of the whole dashboard spends: the sum of `@expose cost=` of its kqlgate queries. */
  pointsPerRefresh(dashboard: GrafanaDashboard, dataSourceUid: string): number {
    return this.gatewayTargets(dashboard, dataSourceUid).reduce(
      (sum, { functionName }) => sum + (this.contracts.get(functionName)?.cost ?? 0),
      0,
    );
  }

  /** Problems of one Power BI recipe (dashboards/powerbi/*.pq). */
  checkPowerQuery(recipe: PowerQueryRecipe): string[] {
    const where = `${recipe.file}`;
    const name = FUNCTION_URL.exec(recipe.relativePath)?.[1];
    if (!name) {
      return [`${where}: RelativePath "${recipe.relativePath}" is not api/v1/functions/{Name}`];
    }
    const contract = this.contracts.get(name);
    if (!contract) {
      return [`${where}: ${this.unknownFunction(name)}`];
    }
    const problems = this.checkParameters(
      contract,
      Object.keys(recipe.query),
      new Set(),
      recipe.query,
      where,
    );
    const key = recipe.headers['X-API-Key'];
    if (!key || !('parameter' in key)) {
      problems.push(`${where}: Headers must send X-API-Key from a Power BI parameter, not a text literal`);
    }
    const accept = recipe.headers.Accept;
    if (!accept || !('text' in accept) || accept.text !== ACCEPT_BY_FORMAT[recipe.format]) {
      problems.push(
        `${where}: Headers must ask for Accept = "${ACCEPT_BY_FORMAT[recipe.format]}" (the format it parses)`,
      );
    }
    for (const column of recipe.columns) {
      const kustoType = contract.columns.get(column.name);
      if (kustoType === undefined) {
        problems.push(`${where}: ${this.unknownColumn(contract, column.name)}`);
      } else if (!M_TYPES[column.mType]?.has(kustoType)) {
        problems.push(
          `${where}: column ${column.name} is ${kustoType} in ${name}; ${column.mType} does not fit it`,
        );
      }
    }
    if (recipe.recordColumns && recipe.recordColumns.join() !== recipe.columns.map((c) => c.name).join()) {
      problems.push(`${where}: Table.FromRecords keeps other columns than Table.TransformColumnTypes types`);
    }
    return problems;
  }

  private checkInfinityTarget(target: PanelTarget, variables: ReadonlySet<string>, where: string): string[] {
    const problems: string[] = [];
    if (target.type !== 'json' && target.type !== 'csv') {
      problems.push(`${where}: type ${String(target.type)}; kqlgate answers json or csv`);
    }
    if (target.source !== 'url' || (target.url_options?.method ?? 'GET') !== 'GET') {
      problems.push(`${where}: must GET a URL (source "url", method GET)`);
    }
    if (target.parser !== 'backend') {
      problems.push(
        `${where}: parser ${String(target.parser)}; use "backend", which alerting and query caching need`,
      );
    }
    if (target.format !== 'table' && target.format !== 'timeseries') {
      problems.push(`${where}: format ${String(target.format)}; use table or timeseries`);
    }
    const expectedRoot = target.type === 'json' ? 'data' : '';
    if ((target.root_selector ?? '') !== expectedRoot) {
      problems.push(`${where}: root selector "${target.root_selector ?? ''}"; rows are at "${expectedRoot}"`);
    }
    const name = FUNCTION_URL.exec(target.url ?? '')?.[1];
    if (!name) {
      problems.push(
        `${where}: URL "${target.url ?? ''}" is not /api/v1/functions/{Name} (put parameters in URL params)`,
      );
      return problems;
    }
    const contract = this.contracts.get(name);
    if (!contract) {
      problems.push(`${where}: ${this.unknownFunction(name)}`);
      return problems;
    }
    const params = target.url_options?.params ?? [];
    problems.push(
      ...this.checkParameters(
        contract,
        params.map((p) => p.key),
        variables,
        Object.fromEntries(params.map((p) => [p.key, p.value])),
        where,
      ),
    );
    const columns = target.columns ?? [];
    if (columns.length === 0) {
      problems.push(`${where}: names no columns; list the ones the panel shows, with their types`);
    }
    for (const column of columns) {
      const kustoType = contract.columns.get(column.selector);
      if (kustoType === undefined) {
        problems.push(`${where}: ${this.unknownColumn(contract, column.selector)}`);
      } else if (!INFINITY_TYPES[column.type]?.has(kustoType)) {
        problems.push(
          `${where}: column ${column.selector} is ${kustoType} in ${name}; Infinity type ${column.type} does not fit it`,
        );
      }
    }
    if (target.format === 'timeseries' && !columns.some((c) => c.type === 'timestamp')) {
      problems.push(`${where}: a time series needs a timestamp column`);
    }
    return problems;
  }

  private checkParameters(
    contract: FunctionContract,
    keys: readonly string[],
    variables: ReadonlySet<string>,
    values: Readonly<Record<string, string>>,
    where: string,
  ): string[] {
    const problems: string[] = [];
    for (const key of keys) {
      if (contract.boundParameters.includes(key)) {
        problems.push(
          `${where}: ${key} is bound to the caller's claims in ${contract.name}; the API key supplies it, remove it`,
        );
      } else if (!contract.parameters.has(key)) {
        problems.push(
          `${where}: ${contract.name} has no parameter ${key} (it has: ${[...contract.parameters.keys()].join(', ') || 'none'})`,
        );
      }
      for (const [, a, b] of (values[key] ?? '').matchAll(/\$\{(\w+)\}|\$(\w+)/g)) {
        // One of the two groups matched; the other is undefined at run time, whatever the typings say.
        const variable = (a as string | undefined) ?? b;
        if (!variable.startsWith('__') && !variables.has(variable)) {
          problems.push(`${where}: ${key} uses $${variable}, which is not a dashboard variable`);
        }
      }
    }
    for (const [parameter, { required }] of contract.parameters) {
      if (required && !keys.includes(parameter)) {
        problems.push(`${where}: ${contract.name} requires the parameter ${parameter}`);
      }
    }
    return problems;
  }

  private unknownFunction(name: string): string {
    return `no exposed function ${name} (the OpenAPI document lists: ${this.contracts.names().join(', ')})`;
  }

  private unknownColumn(contract: FunctionContract, column: string): string {
    return `${contract.name} has no output column ${column} (it has: ${[...contract.columns.keys()].join(', ')})`;
  }
}
