import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MetricsEndpoint } from '../common/metrics/metrics-endpoint.js';
import type { EnvConfig } from '../config/env.dto.js';
import { jwtModeFromConfig } from '../modules/auth/auth-settings.js';
import { DevSigningKeyStore } from '../modules/auth/dev-signing-key.store.js';
import type { CatalogFunction } from '../modules/catalog/catalog.types.js';
import { FunctionCatalogService } from '../modules/catalog/function-catalog.service.js';

export interface BannerFacts {
  url: string;
  /** Where /metrics is served when METRICS_PORT gives it a listener of its own (else on `url`). */
  metricsUrl?: string;
  kustoUrl: string;
  kustoEmbedded: boolean;
  database: string;
  serviceBus: string;
  serviceBusEmbedded: boolean;
  topic: string;
  subscription: string;
  demoRate: number;
  dataDir: string;
  /** A dev-mode token, or undefined when tokens come from the identity provider. */
  devToken?: { token: string; tenant: string; roles: string[]; ttlHours: number };
  functions: readonly CatalogFunction[];
}

/** The function the example calls use: a cheap, always-populated one when the sample domain is there. */
const PREFERRED_EXAMPLES = ['OrderThroughput', 'PaymentFailureRate', 'TopProducts'];

function pickExample(functions: readonly CatalogFunction[]): CatalogFunction | undefined {
  for (const name of PREFERRED_EXAMPLES) {
    const found = functions.find((f) => f.name === name);
    if (found) {
      return found;
    }
  }
  return functions.find((f) => f.parameters.every((p) => !p.required));
}

/**
 * Arguments that make the example show data from the first minute: the demo publishes days of history first, so
 * a function with a `lookback` window looks a week back (in hourly bins when it has a `binSize`).
 */
function exampleArguments(fn: CatalogFunction): Record<string, string> {
  const args: Record<string, string> = {};
  const has = (name: string): boolean => fn.parameters.some((p) => p.name === name && p.type === 'timespan');
  if (has('lookback')) {
    args.lookback = '7d';
    if (has('binSize')) {
      args.binSize = '1h';
    }
  }
  return args;
}

/**
 * The start-up banner a newcomer reads first: where everything is, a token that works, and three calls to paste
 * (REST as JSON, REST as CSV, GraphQL, the SSE stream and a GraphQL subscription) against a function the catalog really exposes.
 */
export function renderBanner(facts: BannerFacts): string {
  const lines: string[] = [];
  const push = (line = ''): number => lines.push(line);
  push('');
  push('kqlgate is running');
  push(`  gateway    ${facts.url}`);
  push(`  GraphQL    ${facts.url}/graphql`);
  push(`  REST       ${facts.url}/api/v1/functions/{Name}   (${facts.functions.length} functions exposed)`);
  push(`  OpenAPI    ${facts.url}/api/v1/openapi.json   explorer ${facts.url}/`);
  push(`  health     ${facts.url}/health/ready   metrics ${facts.metricsUrl ?? `${facts.url}/metrics`}`);
  push(
    `  analytics  ${facts.kustoUrl} database ${facts.database}${facts.kustoEmbedded ? ' (embedded Kusto engine)' : ''}`,
  );
  push(
    `  events     ${facts.serviceBus} topic ${facts.topic} → subscription ${facts.subscription}${facts.serviceBusEmbedded ? ' (embedded broker)' : ''}`,
  );
  push(
    `  demo       ${facts.demoRate > 0 ? `${facts.demoRate} events/s into ${facts.topic}; its operational consumer reads subscription operational` : 'off (DEMO_RATE=0)'}`,
  );
  push(`  data       ${facts.dataDir}`);
  push('');
  const auth = facts.devToken ? '-H "authorization: Bearer $TOKEN" ' : '-H "authorization: Bearer <token>" ';
  if (facts.devToken) {
    const { tenant, roles, ttlHours } = facts.devToken;
    push(
      `Dev token (tenant ${tenant}, roles ${roles.join(', ')}, valid ${ttlHours} h; more: npx kqlgate token --help):`,
    );
    push(`  export TOKEN=${facts.devToken.token}`);
    push('');
  }
  const example = pickExample(facts.functions);
  if (example) {
    const columns = example.outputColumns.slice(0, 4).map((c) => c.name);
    const args = exampleArguments(example);
    const query = new URLSearchParams(args).toString();
    const endpoint = `${facts.url}/api/v1/functions/${example.name}${query ? `?${query}` : ''}`;
    const gqlArgs = Object.entries(args)
      .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
      .join(', ');
    push('Try:');
    push(`  curl -s ${auth}'${endpoint}'`);
    push(`  curl -s ${auth}-H 'accept: text/csv' '${endpoint}'`);
    const selection = `${example.name}${gqlArgs ? `(${gqlArgs})` : ''} { ${columns.join(' ')} }`;
    const body = JSON.stringify({ query: `{ ${selection} }` });
    push(`  curl -s ${auth}-H 'content-type: application/json' ${facts.url}/graphql -d '${body}'`);
    push(`  curl -N ${auth}'${streamUrl(endpoint)}'   (live: a new result after each change)`);
    push(
      `  subscription { ${selection} }   (live over graphql-ws at ${facts.url.replace(/^http/, 'ws')}/graphql; connection_init {"Authorization": "Bearer ${facts.devToken ? '$TOKEN' : '<token>'}"})`,
    );
    push('');
  }
  push('Ctrl-C stops everything; the next start resumes with the data kept.');
  push('');
  return lines.join('\n');
}

/** The SSE stream of a function call's URL: `/api/v1/functions/F?x=1` → `/api/v1/functions/F/stream?x=1`. */
function streamUrl(endpoint: string): string {
  const query = endpoint.indexOf('?');
  return query === -1 ? `${endpoint}/stream` : `${endpoint.slice(0, query)}/stream${endpoint.slice(query)}`;
}

/** The demo shop tenant the dev token is bound to (its `tid` claim fills the claim-bound tenantId parameters). */
export const DEV_TOKEN_TENANT = 'contoso';
const DEV_TOKEN_TTL_HOURS = 12;

/** Gathers the banner's facts from the running app; mints the dev token only in dev mode. */
export async function startupBanner(
  config: EnvConfig,
  app: NestFastifyApplication,
  url: string,
): Promise<string> {
  const functions = app.get(FunctionCatalogService).exposedFunctions();
  let devToken: BannerFacts['devToken'];
  if (jwtModeFromConfig(config).kind === 'dev') {
    const roles = [...new Set(functions.flatMap((f) => f.exposure?.roles ?? []))].sort();
    const token = await new DevSigningKeyStore(resolve(config.DATA_DIR)).sign({
      subject: 'dev-user',
      roles,
      claims: { tid: DEV_TOKEN_TENANT },
      expiresInSeconds: DEV_TOKEN_TTL_HOURS * 3600,
    });
    devToken = { token, tenant: DEV_TOKEN_TENANT, roles, ttlHours: DEV_TOKEN_TTL_HOURS };
  }
  return renderBanner({
    url,
    metricsUrl: app.get(MetricsEndpoint, { strict: false }).url,
    kustoUrl: config.kustoClusterUrl,
    kustoEmbedded: config.kustoEmbedded,
    database: config.KUSTO_DATABASE,
    serviceBus: config.serviceBusEmbedded
      ? `sb://127.0.0.1:${config.SERVICEBUS_EMBEDDED_PORT}`
      : (config.SERVICEBUS_NAMESPACE ?? 'Service Bus (connection string)'),
    serviceBusEmbedded: config.serviceBusEmbedded,
    topic: config.SERVICEBUS_TOPIC,
    subscription: config.SERVICEBUS_SUBSCRIPTION,
    demoRate: config.DEMO_RATE,
    dataDir: resolve(config.DATA_DIR),
    devToken,
    functions,
  });
}
