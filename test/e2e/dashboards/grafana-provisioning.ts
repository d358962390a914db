import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

export const INFINITY_PLUGIN_ID = 'yesoreyeram-infinity-datasource';

/** One data source entry of a Grafana provisioning file, as written (variables not expanded). */
export interface ProvisionedDataSource {
  readonly name: string;
  readonly uid: string;
  readonly type: string;
  readonly url?: string;
  readonly jsonData?: Record<string, unknown>;
  readonly secureJsonData?: Record<string, unknown>;
}

/** What the Infinity plugin does with a provisioned data source: where it sends requests, and which headers. */
export interface InfinityDataSource {
  readonly uid: string;
  /** Prefixed to every query URL that does not already start with it. */
  readonly baseUrl: string;
  /** A request URL must start with one of these (Infinity's ValidateRequest), else the query fails. */
  readonly allowedHosts: readonly string[];
  /** `httpHeaderNameN` → `secureJsonData.httpHeaderValueN`, sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The Infinity data sources of a Grafana data source provisioning file. */
export async function readProvisionedDataSources(path: string): Promise<ProvisionedDataSource[]> {
  const document = parseYaml(await readFile(path, 'utf8')) as { datasources?: unknown } | null;
  if (!document || !Array.isArray(document.datasources)) {
    throw new Error(`${path}: no "datasources" list`);
  }
  return (document.datasources as ProvisionedDataSource[]).filter(
    (entry) => entry.type === INFINITY_PLUGIN_ID,
  );
}

/**
 * The data source as Grafana loads it: `$VAR` and `${VAR}` replaced from `env`, as Grafana does with its own
 * environment when it reads provisioning files. Unlike Grafana, which puts an empty string for a variable it does
 * not have, a missing variable is an error here, so a test cannot pass with an unset key.
 */
export function resolveInfinityDataSource(
  entry: ProvisionedDataSource,
  env: Readonly<Record<string, string>>,
): InfinityDataSource {
  const expand = (value: unknown, field: string): string => {
    if (typeof value !== 'string') {
      throw new Error(`data source ${entry.uid}: ${field} must be a string`);
    }
    return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (_match, braced?: string, bare?: string) => {
      const name = (braced ?? bare)!;
      const replacement = env[name];
      if (replacement === undefined) {
        throw new Error(`data source ${entry.uid}: ${field} needs the environment variable ${name}`);
      }
      return replacement;
    });
  };
  const jsonData = entry.jsonData ?? {};
  const headers: Record<string, string> = {};
  for (const [key, name] of Object.entries(jsonData)) {
    const index = /^httpHeaderName(\d+)$/.exec(key)?.[1];
    if (index !== undefined) {
      headers[expand(name, key)] = expand(
        entry.secureJsonData?.[`httpHeaderValue${index}`],
        `httpHeaderValue${index}`,
      );
    }
  }
  const allowedHosts = Array.isArray(jsonData.allowedHosts) ? (jsonData.allowedHosts as unknown[]) : [];
  return {
    uid: entry.uid,
    baseUrl: entry.url === undefined ? '' : expand(entry.url, 'url'),
    allowedHosts: allowedHosts.map((host, index) => expand(host, `allowedHosts[${index}]`)),
    headers,
  };
}
