import type { GrafanaDashboard, PanelTarget } from './grafana-dashboard.js';
import { currentVariableValues } from './grafana-dashboard.js';
import type { InfinityDataSource } from './grafana-provisioning.js';

/** An HTTP request exactly as written: method, absolute URL, headers. */
export interface RecipeRequest {
  readonly method: 'GET';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The request the Infinity data source sends for one panel target, built the way the plugin builds it
 * (grafana/grafana-infinity-datasource, pkg/infinity/request.go, headers.go and pkg/models/macros.go):
 *
 * 1. Grafana interpolates dashboard variables (`$name`, `${name}`) in the URL and the URL parameters;
 * 2. the plugin expands its macros — here `$__customInterval(d1,v1,…,default)` against the dashboard's time range;
 * 3. the URL is the data source's base URL + the query URL (unless it already starts with the base), the URL
 *    parameters are added and encoded as Go's `url.Values.Encode` does (sorted by key);
 * 4. `Accept` follows the query type (JSON `application/json;q=0.9,text/plain`, CSV `text/csv; charset=utf-8`),
 *    then the data source's custom headers, then the query's own; Go's client adds `User-Agent: Go-http-client/1.1`;
 * 5. the URL must start with one of the data source's allowed hosts, or the plugin refuses to send it.
 */
export class InfinityRequestBuilder {
  private readonly variables: ReadonlyMap<string, string>;

  constructor(
    private readonly dataSource: InfinityDataSource,
    dashboard: GrafanaDashboard,
  ) {
    this.variables = currentVariableValues(dashboard);
  }

  build(target: PanelTarget, rangeMs: number): RecipeRequest {
    const interpolate = (text: string): string =>
      expandCustomInterval(interpolateVariables(text, this.variables), rangeMs);
    const queryUrl = interpolate(target.url ?? '');
    const joined = queryUrl.startsWith(this.dataSource.baseUrl)
      ? queryUrl
      : this.dataSource.baseUrl + queryUrl;
    const url = new URL(joined);
    const params: [string, string][] = [...url.searchParams.entries()];
    for (const { key, value } of target.url_options?.params ?? []) {
      params.push([key, interpolate(value)]);
    }
    url.search = goQueryEncode(params);
    const href = url.toString();
    if (
      this.dataSource.allowedHosts.length > 0 &&
      !this.dataSource.allowedHosts.some((allowed) => href.startsWith(allowed))
    ) {
      throw new Error(
        `Infinity refuses ${href}: it starts with none of the data source's allowed hosts (${this.dataSource.allowedHosts.join(', ')})`,
      );
    }
    const headers: Record<string, string> = { 'User-Agent': 'Go-http-client/1.1' };
    const accept = INFINITY_ACCEPT[target.type ?? ''];
    if (accept) {
      headers.Accept = accept;
    }
    Object.assign(headers, this.dataSource.headers);
    for (const { key, value } of target.url_options?.headers ?? []) {
      headers[key] = interpolate(value);
    }
    return { method: 'GET', url: href, headers };
  }
}

/** The Accept header Infinity sets per query type (pkg/infinity/headers.go, ApplyAcceptHeader). */
const INFINITY_ACCEPT: Readonly<Record<string, string>> = {
  json: 'application/json;q=0.9,text/plain',
  graphql: 'application/json;q=0.9,text/plain',
  csv: 'text/csv; charset=utf-8',
  xml: 'text/xml;q=0.9,text/plain',
};

/** Grafana's variable syntax: `$name`, `${name}` and the deprecated `[[name]]`; unknown names are left alone. */
export function interpolateVariables(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)|\[\[(\w+)\]\]/g, (match, a?: string, b?: string, c?: string) => {
    const value = values.get((a ?? b ?? c)!);
    return value ?? match;
  });
}

/**
 * Infinity's `$__customInterval(duration1,value1,duration2,value2,…,default)`: the value of the first duration the
 * time range does not exceed, else the default (pkg/models/macros.go).
 */
export function expandCustomInterval(text: string, rangeMs: number): string {
  return text.replace(/\$__customInterval\b(?:\((.*?)\))?/g, (match, list?: string) => {
    const args = (list ?? '').split(',');
    if (list === undefined || args.length % 2 === 0) {
      throw new Error(`${match}: $__customInterval takes an odd number of arguments (pairs and a default)`);
    }
    for (let i = 0; i + 1 < args.length; i += 2) {
      if (rangeMs <= grafanaDurationMs(args[i])) {
        return args[i + 1];
      }
    }
    return args[args.length - 1];
  });
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A Grafana duration (`15m`, `6h`, `7d`); months and years are left out on purpose, their length varies. */
export function grafanaDurationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!match) {
    throw new Error(`"${text}" is not a duration such as 15m, 6h or 7d`);
  }
  return Number(match[1]) * DURATION_UNIT_MS[match[2]];
}

/** Go's `url.Values.Encode`: keys sorted (stable for repeated keys), QueryEscape (space as `+`). */
function goQueryEncode(params: readonly [string, string][]): string {
  return [...params]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${goQueryEscape(key)}=${goQueryEscape(value)}`)
    .join('&');
}

function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/%20/g, '+')
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
