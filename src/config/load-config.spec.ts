import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, loadConfig } from './load-config.js';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('should apply the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.DATA_DIR).toBe('./data');
    expect(config.KUSTO_DATABASE).toBe('analytics');
    expect(config.KUSTO_INGEST_MODE).toBe('streaming');
    expect(config.KUSTO_EMBEDDED_PORT).toBe(8082);
    expect(config.SERVICEBUS_EMBEDDED_PORT).toBe(5672);
    expect(config.SERVICEBUS_TOPIC).toBe('oltp-events');
    expect(config.SERVICEBUS_SUBSCRIPTION).toBe('analytics');
    expect(config.DEMO_RATE).toBe(50);
    expect(config.kustoEmbedded).toBe(true);
    expect(config.serviceBusEmbedded).toBe(true);
  });

  it('should convert numeric variables and leave Azure mode off the embedded stack', () => {
    const config = loadConfig({
      PORT: '8080',
      KUSTO_CLUSTER_URL: 'https://mycluster.westeurope.kusto.windows.net',
      SERVICEBUS_NAMESPACE: 'myns.servicebus.windows.net',
    });
    expect(config.PORT).toBe(8080);
    expect(config.kustoEmbedded).toBe(false);
    expect(config.serviceBusEmbedded).toBe(false);
  });

  it('should reject an unknown KUSTO_INGEST_MODE naming the value and the allowed ones', () => {
    expect(problemsOf({ KUSTO_INGEST_MODE: 'fast' })).toEqual([
      'KUSTO_INGEST_MODE="fast": must be one of streaming, queued, managed',
    ]);
  });

  it('should take FUNCTION_VISIBILITY, else the former GRAPHQL_FIELD_VISIBILITY, else all embedded and callable in production', () => {
    expect(loadConfig({}).functionVisibility).toBe('all');
    expect(
      loadConfig({ KUSTO_CLUSTER_URL: 'https://c.westeurope.kusto.windows.net' }).functionVisibility,
    ).toBe('callable');
    expect(loadConfig({ GRAPHQL_FIELD_VISIBILITY: 'callable' }).functionVisibility).toBe('callable');
    expect(
      loadConfig({ FUNCTION_VISIBILITY: 'all', GRAPHQL_FIELD_VISIBILITY: 'callable' }).functionVisibility,
    ).toBe('all');
    expect(
      loadConfig({ KUSTO_CLUSTER_URL: 'https://c.westeurope.kusto.windows.net', FUNCTION_VISIBILITY: 'all' })
        .functionVisibility,
    ).toBe('all');
    expect(problemsOf({ FUNCTION_VISIBILITY: 'by-role', GRAPHQL_FIELD_VISIBILITY: 'by-role' })).toEqual([
      'FUNCTION_VISIBILITY="by-role": must be all (every caller sees every exposed function: REST, OpenAPI, /docs, GraphQL) or callable (each caller sees only the functions it may call)',
      'GRAPHQL_FIELD_VISIBILITY="by-role": must be all (every caller sees every exposed function in the GraphQL schema) or callable (each caller sees only the functions it may call)',
    ]);
  });

  it('should read the GraphQL limits and report each bad one on its own line', () => {
    const config = loadConfig({
      GRAPHQL_INTROSPECTION: 'off',
      GRAPHQL_MAX_ALIASES: '10',
      NODE_ENV: 'production',
    });
    expect([config.GRAPHQL_INTROSPECTION, config.GRAPHQL_MAX_ALIASES, config.NODE_ENV]).toEqual([
      'off',
      10,
      'production',
    ]);
    expect(loadConfig({}).GRAPHQL_INTROSPECTION).toBeUndefined();
    expect(problemsOf({ GRAPHQL_INTROSPECTION: 'anonymous', GRAPHQL_MAX_RESPONSE_BYTES: '10' })).toEqual([
      'GRAPHQL_INTROSPECTION="anonymous": must be all (anyone may introspect the GraphQL schema), authenticated (callers with a credential) or off (nobody); unset: all in development, authenticated in production',
      'GRAPHQL_MAX_RESPONSE_BYTES=10: must be a whole number of bytes of GraphQL response data between 1024 and 1073741824',
    ]);
  });

  it('should serve only trusted GraphQL documents by default in production and reject a bad switch', () => {
    expect(loadConfig({}).graphqlTrustedDocumentsOnly).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlTrustedDocumentsOnly).toBe(true);
    expect(
      loadConfig({ NODE_ENV: 'production', GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'false' })
        .graphqlTrustedDocumentsOnly,
    ).toBe(false);
    expect(loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'true' }).graphqlTrustedDocumentsOnly).toBe(true);
    expect(problemsOf({ GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'yes' })).toEqual([
      'GRAPHQL_TRUSTED_DOCUMENTS_ONLY="yes": must be true (only documents of GRAPHQL_TRUSTED_DOCUMENTS are served) or false (any document); unset: true in production',
    ]);
  });

  it('should serve the GraphQL IDE by default outside production only and reject a bad switch', () => {
    expect(loadConfig({}).graphqlIde).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).graphqlIde).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_IDE: 'true' }).graphqlIde).toBe(true);
    expect(loadConfig({ GRAPHQL_IDE: 'false' }).graphqlIde).toBe(false);
    expect(problemsOf({ GRAPHQL_IDE: 'on' })).toEqual([
      'GRAPHQL_IDE="on": must be true (GET /graphql from a browser serves the GraphiQL IDE) or false (it answers as an API); unset: false in production',
    ]);
  });

  it('should serve metrics on the gateway port by default and check METRICS_PORT and METRICS_TOKEN', () => {
    const defaults = loadConfig({});
    expect(defaults.METRICS_PORT).toBeUndefined();
    expect(defaults.METRICS_HOST).toBe('127.0.0.1');
    expect(defaults.METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_TOKEN: 'x'.repeat(32) }).METRICS_PORT).toBe(9464);
    expect(problemsOf({ PORT: '9000', METRICS_PORT: '9000', METRICS_TOKEN: 'short' })).toEqual([
      'METRICS_PORT=9000: must be an integer port number between 0 and 65535, other than PORT',
      'METRICS_TOKEN="short": must be 16 to 512 printable characters without spaces (the bearer token scrapers send)',
    ]);
  });

  it('should accept proxy addresses, CIDR ranges and presets in TRUST_PROXY and reject anything else', () => {
    expect(loadConfig({}).TRUST_PROXY).toBeUndefined();
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,fd00::/8,uniquelocal' }).TRUST_PROXY).toBe(
      '10.0.0.0/8, 127.0.0.1,fd00::/8,uniquelocal',
    );
    const allowed =
      'must be the addresses or CIDR ranges of the proxies in front of kqlgate, comma-separated (e.g. 10.0.0.0/8,127.0.0.1), or loopback, linklocal, uniquelocal';
    for (const value of ['true', '1', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,']) {
      expect(problemsOf({ TRUST_PROXY: value })).toEqual([
        `TRUST_PROXY=${JSON.stringify(value)}: ${allowed}`,
      ]);
    }
  });

  it("should send no CORS by default and name each bad CORS_ORIGINS entry on the variable's line", () => {
    const config = loadConfig({});
    expect([config.CORS_ORIGINS, config.CORS_CREDENTIALS, config.CORS_MAX_AGE_SECONDS]).toEqual([
      undefined,
      'false',
      600,
    ]);
    expect(
      loadConfig({ CORS_ORIGINS: 'https://app.example.com, https://*.example.org,http://localhost:5173' })
        .CORS_ORIGINS,
    ).toBe('https://app.example.com, https://*.example.org,http://localhost:5173');
    expect(
      problemsOf({
        CORS_ORIGINS: 'https://ok.example.com,app.example.com,https://App.example.com/,null,https://*.com',
      }),
    ).toEqual([
      'CORS_ORIGINS="https://ok.example.com,app.example.com,https://App.example.com/,null,https://*.com": ' +
        'must be origins such as https://app.example.com or https://*.example.com (or * alone), comma-separated: ' +
        '"app.example.com" needs its scheme, e.g. https://app.example.com or https://*.example.com; ' +
        '"https://App.example.com/" must be lower case, as browsers send it; ' +
        '"null" is the origin of sandboxed and file: pages, which any page can claim: list real origins; ' +
        '"https://*.com" is too broad: *. must be followed by a domain with at least two labels, e.g. https://*.example.com',
    ]);
  });

  it('should refuse CORS credentials without listed origins and a preflight cache outside 0..86400', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://app.example.com', CORS_CREDENTIALS: 'true' }).CORS_CREDENTIALS,
    ).toBe('true');
    const needsOrigins =
      'needs CORS_ORIGINS to list the origins (not *): browsers refuse credentials in an answer to any origin';
    expect(problemsOf({ CORS_ORIGINS: '*', CORS_CREDENTIALS: 'true' })).toEqual([
      `CORS_CREDENTIALS="true": ${needsOrigins}`,
    ]);
    expect(problemsOf({ CORS_CREDENTIALS: 'true', CORS_MAX_AGE_SECONDS: '86401' })).toEqual([
      `CORS_CREDENTIALS="true": ${needsOrigins}`,
      'CORS_MAX_AGE_SECONDS=86401: must be a whole number of seconds between 0 and 86400 (how long browsers keep a preflight)',
    ]);
    expect(problemsOf({ CORS_CREDENTIALS: 'yes' })).toEqual([
      'CORS_CREDENTIALS="yes": must be true or false',
    ]);
  });

  it('should default the failed-authentication limit and HSTS and reject bad values', () => {
    const config = loadConfig({});
    expect([
      config.AUTH_FAILURE_LIMIT,
      config.AUTH_FAILURE_WINDOW_SECONDS,
      config.HSTS_MAX_AGE_SECONDS,
    ]).toEqual([20, 60, 31_536_000]);
    expect(problemsOf({ AUTH_FAILURE_LIMIT: '-1', HSTS_MAX_AGE_SECONDS: 'forever' })).toEqual([
      'AUTH_FAILURE_LIMIT=-1: must be a whole number of failed authentications per client address and window (0 disables)',
      'HSTS_MAX_AGE_SECONDS="forever": must be a whole number of seconds between 0 and 63072000 (0 disables HSTS)',
    ]);
  });

  it('should serve MCP with 100 rows per result by default, read a YAML boolean and reject bad values', () => {
    const config = loadConfig({});
    expect([config.MCP_ENABLED, config.MCP_MAX_ROWS]).toEqual(['true', 100]);
    const dir = mkdtempSync(join(tmpdir(), 'kqlgate-config-'));
    const file = join(dir, 'kqlgate.yaml');
    writeFileSync(file, 'MCP_ENABLED: false\n');
    expect(loadConfig({ KQLGATE_CONFIG: file }).MCP_ENABLED).toBe('false');
    expect(problemsOf({ MCP_ENABLED: 'yes', MCP_MAX_ROWS: '0' })).toEqual([
      'MCP_ENABLED="yes": must be true (serve the exposed functions as MCP tools at /mcp) or false (no /mcp route)',
      'MCP_MAX_ROWS=0: must be a whole number of rows per MCP tool result between 1 and 100000',
    ]);
  });

  it('should run everything by default and check KQLGATE_ROLE and the Azure services a single role needs', () => {
    expect(loadConfig({}).KQLGATE_ROLE).toBe('all');
    const azure = {
      KUSTO_CLUSTER_URL: 'https://adx.example.net',
      SERVICEBUS_NAMESPACE: 'sb.example.net',
    };
    expect(loadConfig({ ...azure, KQLGATE_ROLE: 'gateway' }).KQLGATE_ROLE).toBe('gateway');
    expect(loadConfig({ ...azure, KQLGATE_ROLE: 'ingestion' }).KQLGATE_ROLE).toBe('ingestion');
    expect(problemsOf({ KQLGATE_ROLE: 'worker' })).toEqual([
      'KQLGATE_ROLE="worker": must be all (gateway and ingestion in one process), gateway (the HTTP API) or ingestion (the consumer)',
    ]);
    const needsAzure =
      'needs KUSTO_CLUSTER_URL (gateway) and also SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE (ingestion): the embedded engine and broker run only with KQLGATE_ROLE=all';
    expect(problemsOf({ KQLGATE_ROLE: 'gateway' })).toEqual([`KQLGATE_ROLE="gateway": ${needsAzure}`]);
    expect(problemsOf({ KQLGATE_ROLE: 'ingestion', KUSTO_CLUSTER_URL: azure.KUSTO_CLUSTER_URL })).toEqual([
      `KQLGATE_ROLE="ingestion": ${needsAzure}`,
    ]);
  });

  it('should reject a non-numeric PORT', () => {
    expect(problemsOf({ PORT: 'eighty' })).toEqual([
      'PORT="eighty": must be an integer port number between 0 and 65535',
    ]);
  });

  it('should reject an out-of-range PORT', () => {
    expect(problemsOf({ PORT: '70000' })).toEqual([
      'PORT=70000: must be an integer port number between 0 and 65535',
    ]);
  });

  it('should reject an API_KEYS_FILE that cannot be read', () => {
    expect(problemsOf({ API_KEYS_FILE: '/nonexistent/keys.json' })).toEqual([
      'API_KEYS_FILE="/nonexistent/keys.json": must be a readable file of partner API keys',
    ]);
  });

  it('should reject a malformed KUSTO_CLUSTER_URL and a negative DEMO_RATE', () => {
    expect(problemsOf({ KUSTO_CLUSTER_URL: 'mycluster', DEMO_RATE: '-1' })).toEqual([
      'KUSTO_CLUSTER_URL="mycluster": must be an http(s) URL such as https://mycluster.westeurope.kusto.windows.net',
      'DEMO_RATE=-1: must be a whole number of events per second between 0 and 100000 (0 disables the demo)',
    ]);
  });

  it('should default and bound the ingestion admission limits and the stall threshold', () => {
    const config = loadConfig({});
    expect([
      config.INGEST_MAX_BODY_BYTES,
      config.INGEST_MAX_JSON_DEPTH,
      config.INGEST_STALL_THRESHOLD_MS,
    ]).toEqual([1_048_576, 64, 120_000]);
    expect(
      problemsOf({
        INGEST_MAX_BODY_BYTES: '8388608',
        INGEST_MAX_JSON_DEPTH: '5000',
        INGEST_STALL_THRESHOLD_MS: '0',
      }),
    ).toEqual([
      'INGEST_MAX_BODY_BYTES=8388608: must be a whole number of bytes between 1024 and 4194304 (the 4 MB streaming ingestion limit)',
      'INGEST_MAX_JSON_DEPTH=5000: must be a whole number of JSON nesting levels between 1 and 1000',
      'INGEST_STALL_THRESHOLD_MS=0: must be a whole number of milliseconds between 1000 and 3600000',
    ]);
  });

  it('should hold INGEST_BATCH_MAX_BYTES to 4 MB for streaming ingestion only', () => {
    expect(problemsOf({ INGEST_BATCH_MAX_BYTES: '8000000' })).toEqual([
      'INGEST_BATCH_MAX_BYTES=8000000: must be a whole number of bytes between 1024 and 4194304 (the 4 MB streaming ingestion limit)',
    ]);
    expect(
      loadConfig({ KUSTO_INGEST_MODE: 'managed', INGEST_BATCH_MAX_BYTES: '8000000' }).INGEST_BATCH_MAX_BYTES,
    ).toBe(8_000_000);
    expect(
      loadConfig({ KUSTO_INGEST_MODE: 'queued', INGEST_BATCH_MAX_BYTES: '104857600' }).INGEST_BATCH_MAX_BYTES,
    ).toBe(104_857_600);
    expect(problemsOf({ KUSTO_INGEST_MODE: 'queued', INGEST_BATCH_MAX_BYTES: '104857601' })).toEqual([
      'INGEST_BATCH_MAX_BYTES=104857601: must be a whole number of bytes between 1024 and 104857600 (100 MB per queued ingestion in queued mode)',
    ]);
    expect(problemsOf({ KUSTO_INGEST_MODE: 'managed', INGEST_BATCH_MAX_BYTES: 'lots' })).toEqual([
      'INGEST_BATCH_MAX_BYTES="lots": must be a whole number of bytes between 1024 and 104857600 (100 MB per queued ingestion in managed mode)',
    ]);
  });

  it('should reject an unknown LOG_FORMAT naming the value and the allowed ones', () => {
    expect(problemsOf({ LOG_FORMAT: 'xml' })).toEqual([
      'LOG_FORMAT="xml": must be json (one JSON object per line) or pretty (lines for a person at a terminal); unset: pretty when stdout is a terminal, else json',
    ]);
  });

  it('should reject an unknown KUSTO_AUTH naming the value and the allowed ones', () => {
    expect(problemsOf({ KUSTO_AUTH: 'token' })).toEqual([
      'KUSTO_AUTH="token": must be auto (Entra ID, except for a loopback address such as 127.0.0.1 or localhost), azure (Entra ID through DefaultAzureCredential) or none (no credentials, e.g. a Kustainer at http://kusto:8080)',
    ]);
  });

  it('should apply KUSTO_AUTH to a configured cluster and no credentials to the embedded engine', () => {
    expect(loadConfig({}).kustoAuth).toBe('none');
    expect(loadConfig({ KUSTO_AUTH: 'azure' }).kustoAuth).toBe('none');
    expect(loadConfig({ KUSTO_CLUSTER_URL: 'https://c.westeurope.kusto.windows.net' }).kustoAuth).toBe(
      'auto',
    );
    expect(loadConfig({ KUSTO_CLUSTER_URL: 'http://kusto:8080', KUSTO_AUTH: 'none' }).kustoAuth).toBe('none');
  });

  it('should refuse LOG_FORMAT in the config file, which is read after logging starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kqlgate-config-'));
    const file = join(dir, 'kqlgate.yaml');
    writeFileSync(file, 'LOG_FORMAT: pretty\n');
    expect(problemsOf({ KQLGATE_CONFIG: file })).toEqual([
      `LOG_FORMAT in ${file}: set it in the environment instead (logging starts before the config file is read)`,
    ]);
  });

  it('should report every bad value at once', () => {
    expect(problemsOf({ PORT: 'x', KUSTO_INGEST_MODE: 'y', LOG_LEVEL: 'loud' })).toHaveLength(3);
  });

  it('should read an optional config file and let the environment win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kqlgate-config-'));
    const file = join(dir, 'kqlgate.yaml');
    writeFileSync(file, 'PORT: 4000\nKUSTO_DATABASE: shop\nDEMO_RATE: 5\n');
    const config = loadConfig({ KQLGATE_CONFIG: file, DEMO_RATE: '7' });
    expect(config.PORT).toBe(4000);
    expect(config.KUSTO_DATABASE).toBe('shop');
    expect(config.DEMO_RATE).toBe(7);
  });

  it('should reject unknown settings and unreadable files named by KQLGATE_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kqlgate-config-'));
    const file = join(dir, 'kqlgate.json');
    writeFileSync(file, JSON.stringify({ PROT: 3000 }));
    expect(problemsOf({ KQLGATE_CONFIG: file })[0]).toMatch(
      /^PROT in .*kqlgate\.json: unknown setting \(known: PORT, /,
    );
    const problems = problemsOf({ KQLGATE_CONFIG: join(dir, 'missing.yaml') });
    expect(problems[0]).toMatch(/^KQLGATE_CONFIG=".*missing\.yaml": cannot read the config file \(ENOENT/);
  });
  it('should export telemetry to Azure Monitor, else OTLP, else nowhere, and not at all when the SDK is disabled', () => {
    const appInsights =
      'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://x/';
    expect(loadConfig({}).telemetryExport).toBe('off');
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).telemetryExport).toBe('otlp');
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights,
      }).telemetryExport,
    ).toBe('azure-monitor');
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })
        .telemetryExport,
    ).toBe('off');
  });

  it('should reject bad telemetry settings, one line each naming what is allowed', () => {
    expect(
      problemsOf({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'sometimes',
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'IngestionEndpoint=https://x/',
      }),
    ).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT="collector:4318": must be the http(s) URL of an OTLP/HTTP receiver such as http://otel-collector:4318',
      'OTEL_EXPORTER_OTLP_PROTOCOL="grpc": must be one of http/protobuf, http/json (OTLP over HTTP)',
      'OTEL_TRACES_SAMPLER="sometimes": must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio',
      'APPLICATIONINSIGHTS_CONNECTION_STRING="IngestionEndpoint=https://x/": must be an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)',
    ]);
  });

  it('should refuse telemetry settings in the config file: the SDK reads them from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kqlgate-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }));
    expect(problemsOf({ KQLGATE_CONFIG: file })).toEqual([
      `OTEL_EXPORTER_OTLP_ENDPOINT in ${file}: set it in the environment instead (the OpenTelemetry SDK reads it from the environment)`,
    ]);
  });
});
