/**
 * The browser origins allowed to call kqlgate across origins (CORS_ORIGINS): exact origins
 * (`https://app.example.com`, `http://localhost:5173`), subdomain patterns (`https://*.example.com`: any host
 * ending in `.example.com`, at any depth, but not `example.com` itself) or `*` alone (any origin).
 *
 * An entry names its scheme, and its port when that is not the scheme's default, exactly as a browser writes the
 * `Origin` header, so matching is string comparison: no URL parsing on the request path.
 */

/** One parsed CORS_ORIGINS value: what it allows, or the entries that are not origins, with the reason. */
export interface CorsOriginList {
  /** `*`: any origin (`Access-Control-Allow-Origin: *`). */
  readonly any: boolean;
  readonly exact: ReadonlySet<string>;
  /** `https://*.example.com` as `{ prefix: 'https://', suffix: '.example.com' }`. */
  readonly patterns: readonly { readonly prefix: string; readonly suffix: string }[];
  /** One `"entry" reason` per entry that is not an origin or pattern; empty when the list is usable. */
  readonly problems: readonly string[];
}

const SCHEME_HOST_PORT = /^(https?):\/\/(\*\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;
/** What a `*.` may stand for: one or more DNS labels, nothing that could end a host (`:`, `/`, `@`). */
const SUBDOMAIN_LABELS = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*$/;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** Parses a comma-separated CORS_ORIGINS value; entries are trimmed and empty ones ignored. */
export function parseCorsOrigins(value: string | undefined): CorsOriginList {
  const exact = new Set<string>();
  const patterns: { prefix: string; suffix: string }[] = [];
  const problems: string[] = [];
  let any = false;
  for (const entry of (value ?? '').split(',').map((item) => item.trim())) {
    if (entry === '') {
      continue;
    }
    if (entry === '*') {
      any = true;
      continue;
    }
    const problem = entryProblem(entry);
    if (problem) {
      problems.push(`${JSON.stringify(entry)} ${problem}`);
      continue;
    }
    const [, scheme, wildcard, host, port] = SCHEME_HOST_PORT.exec(entry)!;
    const hostPort = port ? `${host}:${port}` : host;
    if (wildcard) {
      patterns.push({ prefix: `${scheme}://`, suffix: `.${hostPort}` });
    } else {
      exact.add(entry);
    }
  }
  return { any, exact, patterns, problems };
}

function entryProblem(entry: string): string | undefined {
  if (entry === 'null') {
    return 'is the origin of sandboxed and file: pages, which any page can claim: list real origins';
  }
  if (entry !== entry.toLowerCase()) {
    return 'must be lower case, as browsers send it';
  }
  if (entry.endsWith('/')) {
    return 'must not end with / (an origin has no path)';
  }
  const match = SCHEME_HOST_PORT.exec(entry);
  if (!match) {
    return entry.includes('://')
      ? 'is not an origin: http:// or https://, a host (or *. and a domain) and an optional port, with no path'
      : 'needs its scheme, e.g. https://app.example.com or https://*.example.com';
  }
  const [, scheme, wildcard, host, port] = match;
  if (port !== undefined && (Number(port) > 65535 || port === DEFAULT_PORTS[scheme])) {
    return port === DEFAULT_PORTS[scheme]
      ? `must leave out the default port ${port} (browsers do)`
      : 'has a port above 65535';
  }
  if (wildcard && !host.includes('.')) {
    return 'is too broad: *. must be followed by a domain with at least two labels, e.g. https://*.example.com';
  }
  return undefined;
}

/** Whether a request's `Origin` header names an allowed origin. No `Origin` (not a browser) is not a match. */
export function isOriginAllowed(list: CorsOriginList, origin: string | undefined): boolean {
  if (origin === undefined) {
    return false;
  }
  if (list.any || list.exact.has(origin)) {
    return true;
  }
  for (const { prefix, suffix } of list.patterns) {
    if (
      origin.length > prefix.length + suffix.length &&
      origin.startsWith(prefix) &&
      origin.endsWith(suffix) &&
      SUBDOMAIN_LABELS.test(origin.slice(prefix.length, origin.length - suffix.length))
    ) {
      return true;
    }
  }
  return false;
}
