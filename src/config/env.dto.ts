import 'reflect-metadata';
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  type ValidationArguments,
  type ValidationOptions,
} from 'class-validator';
import { parseCorsOrigins } from '../common/http/cors-origins.js';

/** What one kqlgate process runs (KQLGATE_ROLE). */
export const KQLGATE_ROLES = ['all', 'gateway', 'ingestion'] as const;
export type KqlgateRole = (typeof KQLGATE_ROLES)[number];

/** The OTLP/HTTP encodings the exporters speak (gRPC is not bundled). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The samplers OTEL_TRACES_SAMPLER names in the OpenTelemetry specification (the SDK builds them). */
export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/**
 * Every environment variable kqlgate reads (see docs/architecture.md "Environment"), with its default.
 *
 * `loadConfig()` fills an instance from the optional config file and the process environment (env wins), converts
 * numbers, and validates it with class-validator before anything starts: each bad value is reported on one line
 * naming the variable, the value given and what is allowed. Add new variables here, never read `process.env`
 * elsewhere.
 */
export class EnvConfig {
  // ── gateway ────────────────────────────────────────────────────────────────────────────────────────────────
  @IsInt({ message: 'must be an integer port number between 0 and 65535' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535' })
  PORT: number = 3000;

  @IsString()
  @MinLength(1, { message: 'must be a host name or IP address to bind, e.g. 127.0.0.1 or 0.0.0.0' })
  HOST: string = '127.0.0.1';

  /**
   * all: everything in one process (`npm start`, with the local stack for what Azure does not provide); gateway:
   * the HTTP API only; ingestion: the Service Bus consumer plus /health and /metrics. The last two are the
   * deployed shapes (deploy/kubernetes, infra/), so they need the Azure services: the local stack runs only in all.
   */
  @IsIn(KQLGATE_ROLES, {
    message:
      'must be all (gateway and ingestion in one process), gateway (the HTTP API) or ingestion (the consumer)',
  })
  @HasAzureServicesForRole({
    message:
      'needs KUSTO_CLUSTER_URL (gateway) and also SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE (ingestion): the embedded engine and broker run only with KQLGATE_ROLE=all',
  })
  KQLGATE_ROLE: KqlgateRole = 'all';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    message: 'must be one of fatal, error, warn, info, debug, trace, silent',
  })
  LOG_LEVEL: string = 'info';

  /** Read from the environment by every thread's logger (logger.ts); declared here to be checked and listed. */
  @IsOptional()
  @IsIn(['json', 'pretty'], {
    message:
      'must be json (one JSON object per line) or pretty (lines for a person at a terminal); unset: pretty when stdout is a terminal, else json',
  })
  LOG_FORMAT?: 'json' | 'pretty';

  @IsString()
  @MinLength(1, { message: 'must be a directory path' })
  DATA_DIR: string = './data';

  @IsString()
  @MinLength(1, { message: 'must be a directory path holding tables/ and functions/' })
  KQL_DIR: string = './kql';

  @IsInt({ message: 'must be a whole number of milliseconds between 0 and 600000' })
  @Min(0, { message: 'must be a whole number of milliseconds between 0 and 600000' })
  @Max(600_000, { message: 'must be a whole number of milliseconds between 0 and 600000' })
  SHUTDOWN_TIMEOUT_MS: number = 30_000;

  /** `production` switches production defaults on (GRAPHQL_INTROSPECTION); graphql-js reads it too. */
  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  // ── embedded stack (used when no Azure settings are given) ────────────────────────────────────────────────
  @IsInt({ message: 'must be an integer port number between 0 and 65535' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535' })
  KUSTO_EMBEDDED_PORT: number = 8082;

  @IsInt({ message: 'must be an integer port number between 0 and 65535' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535' })
  SERVICEBUS_EMBEDDED_PORT: number = 5672;

  /** DuckDB memory limit of each embedded database; a query needing more fails instead of growing the process. */
  @Matches(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, {
    message: 'must be a size such as 512MB or 2GB (the embedded engine memory limit per database)',
  })
  KUSTO_EMBEDDED_MEMORY_LIMIT: string = '1GB';

  // ── Azure Data Explorer ───────────────────────────────────────────────────────────────────────────────────
  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL such as https://mycluster.westeurope.kusto.windows.net' },
  )
  KUSTO_CLUSTER_URL?: string;

  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL such as https://ingest-mycluster.westeurope.kusto.windows.net' },
  )
  KUSTO_INGEST_URL?: string;

  @Matches(/^[A-Za-z0-9_.\- ]{1,260}$/, {
    message: 'must be a Kusto database name (letters, digits, _ . - and spaces, at most 260 characters)',
  })
  KUSTO_DATABASE: string = 'analytics';

  @IsIn(['streaming', 'queued', 'managed'], { message: 'must be one of streaming, queued, managed' })
  KUSTO_INGEST_MODE: 'streaming' | 'queued' | 'managed' = 'streaming';

  /**
   * Queued ingestion (queued mode, managed fallback): how long a batch waits for the data-management service to
   * report its rows committed before the attempt counts as a transient failure (retried; the ingest-by tag keeps
   * the retry from committing twice). Above the table's ingestion batching time (ADX default: 5 minutes).
   */
  @IsInt({ message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  @Min(1000, { message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  @Max(3_600_000, { message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  KUSTO_INGEST_STATUS_TIMEOUT_MS: number = 900_000;

  /** How KUSTO_CLUSTER_URL and KUSTO_INGEST_URL are authenticated (see kusto-connection.ts). */
  @IsIn(['auto', 'azure', 'none'], {
    message:
      'must be auto (Entra ID, except for a loopback address such as 127.0.0.1 or localhost), azure (Entra ID through DefaultAzureCredential) or none (no credentials, e.g. a Kustainer at http://kusto:8080)',
  })
  KUSTO_AUTH: 'auto' | 'azure' | 'none' = 'auto';

  // ── Azure Service Bus ─────────────────────────────────────────────────────────────────────────────────────
  @IsOptional()
  @Matches(/^Endpoint=sb:\/\/[^;]+;/i, {
    message: 'must be a Service Bus connection string starting with Endpoint=sb://…;',
  })
  SERVICEBUS_CONNECTION_STRING?: string;

  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, {
    message: 'must be a fully qualified namespace such as myns.servicebus.windows.net',
  })
  SERVICEBUS_NAMESPACE?: string;

  @Matches(/^[A-Za-z0-9][A-Za-z0-9._\-/]{0,259}$/, { message: 'must be a Service Bus topic name' })
  SERVICEBUS_TOPIC: string = 'oltp-events';

  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/, { message: 'must be a Service Bus subscription name' })
  SERVICEBUS_SUBSCRIPTION: string = 'analytics';

  // ── shared state for several replicas ─────────────────────────────────────────────────────────────────────
  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  // ── authentication ────────────────────────────────────────────────────────────────────────────────────────
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'must be the token issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0' })
  JWT_ISSUER?: string;

  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'must be the expected token audience, e.g. api://kqlgate' })
  JWT_AUDIENCE?: string;

  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be an http(s) URL of a JSON Web Key Set' },
  )
  JWKS_URI?: string;

  @IsOptional()
  @IsReadableFile({ message: 'must be a readable file of partner API keys' })
  API_KEYS_FILE?: string;

  @IsInt({
    message: 'must be a whole number of failed authentications per client address and window (0 disables)',
  })
  @Min(0, {
    message: 'must be a whole number of failed authentications per client address and window (0 disables)',
  })
  AUTH_FAILURE_LIMIT: number = 20;

  @IsInt({ message: 'must be a whole number of seconds between 1 and 86400' })
  @Min(1, { message: 'must be a whole number of seconds between 1 and 86400' })
  @Max(86_400, { message: 'must be a whole number of seconds between 1 and 86400' })
  AUTH_FAILURE_WINDOW_SECONDS: number = 60;

  // ── HTTP edge ─────────────────────────────────────────────────────────────────────────────────────────────
  @IsOptional()
  @IsTrustedProxyList({
    message:
      'must be the addresses or CIDR ranges of the proxies in front of kqlgate, comma-separated (e.g. 10.0.0.0/8,127.0.0.1), or loopback, linklocal, uniquelocal',
  })
  TRUST_PROXY?: string;

  @IsInt({ message: 'must be a whole number of seconds between 0 and 63072000 (0 disables HSTS)' })
  @Min(0, { message: 'must be a whole number of seconds between 0 and 63072000 (0 disables HSTS)' })
  @Max(63_072_000, { message: 'must be a whole number of seconds between 0 and 63072000 (0 disables HSTS)' })
  HSTS_MAX_AGE_SECONDS: number = 31_536_000;

  /** Browser origins allowed to call across origins (docs/security.md "CORS"); unset: no CORS headers at all. */
  @IsOptional()
  @IsCorsOriginList({
    message: (args) =>
      `must be origins such as https://app.example.com or https://*.example.com (or * alone), comma-separated: ${parseCorsOrigins(String(args.value)).problems.join('; ')}`,
  })
  CORS_ORIGINS?: string;

  @IsIn(['true', 'false'], { message: 'must be true or false' })
  @CredentialsWithListedOrigins({
    message:
      'needs CORS_ORIGINS to list the origins (not *): browsers refuse credentials in an answer to any origin',
  })
  CORS_CREDENTIALS: 'true' | 'false' = 'false';

  @IsInt({
    message: 'must be a whole number of seconds between 0 and 86400 (how long browsers keep a preflight)',
  })
  @Min(0, {
    message: 'must be a whole number of seconds between 0 and 86400 (how long browsers keep a preflight)',
  })
  @Max(86_400, {
    message: 'must be a whole number of seconds between 0 and 86400 (how long browsers keep a preflight)',
  })
  CORS_MAX_AGE_SECONDS: number = 600;

  @IsOptional()
  @IsIn(['all', 'callable'], {
    message:
      'must be all (every caller sees every exposed function: REST, OpenAPI, /docs, GraphQL) or callable (each caller sees only the functions it may call)',
  })
  FUNCTION_VISIBILITY?: 'all' | 'callable';

  /** The former name of FUNCTION_VISIBILITY (GraphQL only then); still read when FUNCTION_VISIBILITY is unset. */
  @IsOptional()
  @IsIn(['all', 'callable'], {
    message:
      'must be all (every caller sees every exposed function in the GraphQL schema) or callable (each caller sees only the functions it may call)',
  })
  GRAPHQL_FIELD_VISIBILITY?: 'all' | 'callable';

  // ── metrics ───────────────────────────────────────────────────────────────────────────────────────────────
  @IsOptional()
  @IsInt({ message: 'must be an integer port number between 0 and 65535, other than PORT' })
  @Min(0, { message: 'must be an integer port number between 0 and 65535, other than PORT' })
  @Max(65535, { message: 'must be an integer port number between 0 and 65535, other than PORT' })
  @NotEqualToPort({ message: 'must be an integer port number between 0 and 65535, other than PORT' })
  METRICS_PORT?: number;

  @IsString()
  @MinLength(1, { message: 'must be a host name or IP address for the metrics port to bind, e.g. 127.0.0.1' })
  METRICS_HOST: string = '127.0.0.1';

  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,512}$/, {
    message: 'must be 16 to 512 printable characters without spaces (the bearer token scrapers send)',
  })
  METRICS_TOKEN?: string;

  // ── GraphQL limits (docs/security.md "GraphQL") ────────────────────────────────────────────────────────────
  @IsOptional()
  @IsIn(['all', 'authenticated', 'off'], {
    message:
      'must be all (anyone may introspect the GraphQL schema), authenticated (callers with a credential) or off (nobody); unset: all in development, authenticated in production',
  })
  GRAPHQL_INTROSPECTION?: 'all' | 'authenticated' | 'off';

  @IsInt({ message: 'must be a whole number of tokens per GraphQL document between 100 and 1000000' })
  @Min(100, { message: 'must be a whole number of tokens per GraphQL document between 100 and 1000000' })
  @Max(1_000_000, {
    message: 'must be a whole number of tokens per GraphQL document between 100 and 1000000',
  })
  GRAPHQL_MAX_TOKENS: number = 5_000;

  @IsInt({ message: 'must be a whole number of fields per GraphQL document between 1 and 100000' })
  @Min(1, { message: 'must be a whole number of fields per GraphQL document between 1 and 100000' })
  @Max(100_000, { message: 'must be a whole number of fields per GraphQL document between 1 and 100000' })
  GRAPHQL_MAX_FIELDS: number = 1_000;

  @IsInt({ message: 'must be a whole number of aliases per GraphQL document between 0 and 10000' })
  @Min(0, { message: 'must be a whole number of aliases per GraphQL document between 0 and 10000' })
  @Max(10_000, { message: 'must be a whole number of aliases per GraphQL document between 0 and 10000' })
  GRAPHQL_MAX_ALIASES: number = 50;

  @IsInt({ message: 'must be a whole number of bytes of GraphQL response data between 1024 and 1073741824' })
  @Min(1024, {
    message: 'must be a whole number of bytes of GraphQL response data between 1024 and 1073741824',
  })
  @Max(1_073_741_824, {
    message: 'must be a whole number of bytes of GraphQL response data between 1024 and 1073741824',
  })
  GRAPHQL_MAX_RESPONSE_BYTES: number = 8 * 1024 * 1024;

  /** A JSON manifest {"<sha256 of the document>": "<document>"} (docs/security.md "Trusted documents"). */
  @IsOptional()
  @IsString()
  GRAPHQL_TRUSTED_DOCUMENTS?: string;

  @IsOptional()
  @IsIn(['true', 'false'], {
    message:
      'must be true (only documents of GRAPHQL_TRUSTED_DOCUMENTS are served) or false (any document); unset: true in production',
  })
  GRAPHQL_TRUSTED_DOCUMENTS_ONLY?: 'true' | 'false';

  /** The browser IDE (GraphiQL) at GET /graphql for `Accept: text/html` (docs/security.md "GraphQL IDE"). */
  @IsOptional()
  @IsIn(['true', 'false'], {
    message:
      'must be true (GET /graphql from a browser serves the GraphiQL IDE) or false (it answers as an API); unset: false in production',
  })
  GRAPHQL_IDE?: 'true' | 'false';

  // ── MCP (docs/mcp.md) ───────────────────────────────────────────────────────────────────────────────────────
  @IsIn(['true', 'false'], {
    message: 'must be true (serve the exposed functions as MCP tools at /mcp) or false (no /mcp route)',
  })
  MCP_ENABLED: 'true' | 'false' = 'true';

  @IsInt({ message: 'must be a whole number of rows per MCP tool result between 1 and 100000' })
  @Min(1, { message: 'must be a whole number of rows per MCP tool result between 1 and 100000' })
  @Max(100_000, { message: 'must be a whole number of rows per MCP tool result between 1 and 100000' })
  MCP_MAX_ROWS: number = 100;

  // ── cache and limits ──────────────────────────────────────────────────────────────────────────────────────
  @IsInt({ message: 'must be a whole number of bytes for the in-process result cache (0 disables it)' })
  @Min(0, { message: 'must be a whole number of bytes for the in-process result cache (0 disables it)' })
  CACHE_MAX_BYTES: number = 64 * 1024 * 1024;

  @IsInt({
    message: 'must be a whole number of cost points each caller may spend per window (0 disables limits)',
  })
  @Min(0, {
    message: 'must be a whole number of cost points each caller may spend per window (0 disables limits)',
  })
  RATE_LIMIT_POINTS: number = 600;

  @IsInt({ message: 'must be a whole number of seconds between 1 and 86400' })
  @Min(1, { message: 'must be a whole number of seconds between 1 and 86400' })
  @Max(86_400, { message: 'must be a whole number of seconds between 1 and 86400' })
  RATE_LIMIT_WINDOW_SECONDS: number = 60;

  @IsInt({ message: 'must be a whole number of concurrent engine queries between 1 and 1000' })
  @Min(1, { message: 'must be a whole number of concurrent engine queries between 1 and 1000' })
  @Max(1000, { message: 'must be a whole number of concurrent engine queries between 1 and 1000' })
  ENGINE_MAX_CONCURRENCY: number = 16;

  @IsInt({ message: 'must be a whole number of queued engine queries between 0 and 100000' })
  @Min(0, { message: 'must be a whole number of queued engine queries between 0 and 100000' })
  @Max(100_000, { message: 'must be a whole number of queued engine queries between 0 and 100000' })
  ENGINE_QUEUE_LIMIT: number = 256;

  // ── live results (docs/functions.md "Live results") ──────────────────────────────────────────────────────
  @IsInt({ message: 'must be a whole number of open live streams per caller between 1 and 10000' })
  @Min(1, { message: 'must be a whole number of open live streams per caller between 1 and 10000' })
  @Max(10_000, { message: 'must be a whole number of open live streams per caller between 1 and 10000' })
  LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL: number = 20;

  @IsInt({ message: 'must be a whole number of open live streams per replica between 1 and 1000000' })
  @Min(1, { message: 'must be a whole number of open live streams per replica between 1 and 1000000' })
  @Max(1_000_000, {
    message: 'must be a whole number of open live streams per replica between 1 and 1000000',
  })
  LIVE_MAX_SUBSCRIPTIONS: number = 10_000;

  /** Bytes a live stream may have written but its client not yet read; past it the client is dropped (SLOW_CONSUMER). */
  @IsInt({ message: 'must be a whole number of bytes between 1024 and 268435456' })
  @Min(1024, { message: 'must be a whole number of bytes between 1024 and 268435456' })
  @Max(268_435_456, { message: 'must be a whole number of bytes between 1024 and 268435456' })
  LIVE_BUFFER_BYTES: number = 1024 * 1024;

  /** A live stream that pushed no result for this long is closed (IDLE_TIMEOUT); 0 keeps quiet streams open. */
  @IsInt({ message: 'must be a whole number of seconds between 0 and 604800 (0 disables the idle timeout)' })
  @Min(0, { message: 'must be a whole number of seconds between 0 and 604800 (0 disables the idle timeout)' })
  @Max(604_800, {
    message: 'must be a whole number of seconds between 0 and 604800 (0 disables the idle timeout)',
  })
  LIVE_IDLE_TIMEOUT_SECONDS: number = 3600;

  // ── ingestion (docs/ingestion.md) ───────────────────────────────────────────────────────────────────────
  @IsInt({ message: 'must be a whole number of messages per batch between 1 and 100000' })
  @Min(1, { message: 'must be a whole number of messages per batch between 1 and 100000' })
  @Max(100_000, { message: 'must be a whole number of messages per batch between 1 and 100000' })
  INGEST_BATCH_MAX_EVENTS: number = 2000;

  /** Bounded by KUSTO_INGEST_MODE: only streaming ingestion has ADX's 4 MB request limit (INGEST_BATCH_MAX_BYTES_BY_MODE). */
  @IsInt({ message: batchMaxBytesMessage })
  @IsBatchSizeForIngestMode({ message: batchMaxBytesMessage })
  INGEST_BATCH_MAX_BYTES: number = 4_000_000;

  @IsInt({ message: 'must be a whole number of milliseconds between 0 and 600000' })
  @Min(0, { message: 'must be a whole number of milliseconds between 0 and 600000' })
  @Max(600_000, { message: 'must be a whole number of milliseconds between 0 and 600000' })
  INGEST_BATCH_MAX_AGE_MS: number = 200;

  @IsOptional()
  @IsReadableFile({ message: 'must be a readable YAML/JSON routes file (see docs/ingestion.md)' })
  INGEST_ROUTES_FILE?: string;

  @IsInt({ message: 'must be a whole number of unsettled messages between 1 and 1000000' })
  @Min(1, { message: 'must be a whole number of unsettled messages between 1 and 1000000' })
  @Max(1_000_000, { message: 'must be a whole number of unsettled messages between 1 and 1000000' })
  INGEST_MAX_IN_FLIGHT: number = 1_500;

  @IsInt({ message: 'must be a whole number of concurrent ingest requests between 1 and 64' })
  @Min(1, { message: 'must be a whole number of concurrent ingest requests between 1 and 64' })
  @Max(64, { message: 'must be a whole number of concurrent ingest requests between 1 and 64' })
  INGEST_MAX_PARALLEL: number = 4;

  @IsIn(['table', 'redelivered', 'off'], {
    message:
      'must be table (exactly-once in effect), redelivered (look up redeliveries only) or off (at-least-once)',
  })
  INGEST_DEDUP: 'table' | 'redelivered' | 'off' = 'table';

  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,1023}$/, { message: 'must be a Kusto column name' })
  INGEST_DEDUP_COLUMN: string = 'MessageId';

  @IsInt({ message: 'must be a whole number of milliseconds between 0 and 3600000' })
  @Min(0, { message: 'must be a whole number of milliseconds between 0 and 3600000' })
  @Max(3_600_000, { message: 'must be a whole number of milliseconds between 0 and 3600000' })
  INGEST_UNREACHABLE_THRESHOLD_MS: number = 30_000;

  @IsInt({
    message: 'must be a whole number of bytes between 1024 and 4194304 (the 4 MB streaming ingestion limit)',
  })
  @Min(1024, {
    message: 'must be a whole number of bytes between 1024 and 4194304 (the 4 MB streaming ingestion limit)',
  })
  @Max(4_194_304, {
    message: 'must be a whole number of bytes between 1024 and 4194304 (the 4 MB streaming ingestion limit)',
  })
  INGEST_MAX_BODY_BYTES: number = 1_048_576;

  // JSON.stringify overflows V8's stack a little above 4,000 levels: 1000 keeps a wide margin.
  @IsInt({ message: 'must be a whole number of JSON nesting levels between 1 and 1000' })
  @Min(1, { message: 'must be a whole number of JSON nesting levels between 1 and 1000' })
  @Max(1000, { message: 'must be a whole number of JSON nesting levels between 1 and 1000' })
  INGEST_MAX_JSON_DEPTH: number = 64;

  @IsInt({ message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  @Min(1000, { message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  @Max(3_600_000, { message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  INGEST_STALL_THRESHOLD_MS: number = 120_000;

  @IsInt({ message: 'must be a whole number of messages between 1 and 100000' })
  @Min(1, { message: 'must be a whole number of messages between 1 and 100000' })
  @Max(100_000, { message: 'must be a whole number of messages between 1 and 100000' })
  SERVICEBUS_MAX_CONCURRENT: number = 500;

  // ── demo producer ─────────────────────────────────────────────────────────────────────────────────────────
  @IsInt({
    message: 'must be a whole number of events per second between 0 and 100000 (0 disables the demo)',
  })
  @Min(0, {
    message: 'must be a whole number of events per second between 0 and 100000 (0 disables the demo)',
  })
  @Max(100_000, {
    message: 'must be a whole number of events per second between 0 and 100000 (0 disables the demo)',
  })
  DEMO_RATE: number = 50;

  @IsInt({ message: 'must be a whole number between 0 and 4294967295 (the demo PRNG seed)' })
  @Min(0, { message: 'must be a whole number between 0 and 4294967295 (the demo PRNG seed)' })
  @Max(4_294_967_295, { message: 'must be a whole number between 0 and 4294967295 (the demo PRNG seed)' })
  DEMO_SEED: number = 42;

  @IsInt({ message: 'must be a whole number of days of demo history between 0 and 365' })
  @Min(0, { message: 'must be a whole number of days of demo history between 0 and 365' })
  @Max(365, { message: 'must be a whole number of days of demo history between 0 and 365' })
  DEMO_BACKFILL_DAYS: number = 7;

  @IsInt({ message: 'must be a whole number of backfilled demo events between 0 and 10000000' })
  @Min(0, { message: 'must be a whole number of backfilled demo events between 0 and 10000000' })
  @Max(10_000_000, { message: 'must be a whole number of backfilled demo events between 0 and 10000000' })
  DEMO_BACKFILL_EVENTS: number = 8_000;

  // ── telemetry (OpenTelemetry; read by the SDK from the environment, see docs/observability.md) ────────────
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'must be true or false' })
  OTEL_SDK_DISABLED?: 'true' | 'false';

  @IsOptional()
  @IsUrl(
    { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
    { message: 'must be the http(s) URL of an OTLP/HTTP receiver such as http://otel-collector:4318' },
  )
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsIn(OTLP_PROTOCOLS, { message: `must be one of ${OTLP_PROTOCOLS.join(', ')} (OTLP over HTTP)` })
  OTEL_EXPORTER_OTLP_PROTOCOL: OtlpProtocol = 'http/protobuf';

  @IsString()
  @MinLength(1, { message: 'must name the service in traces and metrics' })
  OTEL_SERVICE_NAME: string = 'kqlgate';

  @IsOptional()
  @IsIn(TRACE_SAMPLERS, { message: `must be one of ${TRACE_SAMPLERS.join(', ')}` })
  OTEL_TRACES_SAMPLER?: string;

  @IsInt({ message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  @Min(1_000, { message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  @Max(3_600_000, { message: 'must be a whole number of milliseconds between 1000 and 3600000' })
  OTEL_METRIC_EXPORT_INTERVAL: number = 60_000;

  @IsOptional()
  @Matches(/(^|;)\s*InstrumentationKey=[^;]+/i, {
    message: 'must be an Application Insights connection string (InstrumentationKey=…;IngestionEndpoint=…)',
  })
  APPLICATIONINSIGHTS_CONNECTION_STRING?: string;

  /**
   * Where traces and metrics go: Azure Monitor when a connection string is set, else the OTLP endpoint, else
   * nowhere — and then no SDK is loaded at all. OTEL_SDK_DISABLED=true turns both off.
   */
  get telemetryExport(): 'azure-monitor' | 'otlp' | 'off' {
    if (this.OTEL_SDK_DISABLED === 'true') {
      return 'off';
    }
    if (this.APPLICATIONINSIGHTS_CONNECTION_STRING) {
      return 'azure-monitor';
    }
    return this.OTEL_EXPORTER_OTLP_ENDPOINT ? 'otlp' : 'off';
  }

  /**
   * Which exposed functions a caller sees on every surface (REST errors, OpenAPI, /docs, GraphQL schema):
   * FUNCTION_VISIBILITY, else the former GRAPHQL_FIELD_VISIBILITY, else `all` in development (the demo's docs show
   * everything) and `callable` in production (see `production`: nobody lists what they may not call).
   */
  get functionVisibility(): 'all' | 'callable' {
    return (
      this.FUNCTION_VISIBILITY ?? this.GRAPHQL_FIELD_VISIBILITY ?? (this.production ? 'callable' : 'all')
    );
  }

  /** GRAPHQL_TRUSTED_DOCUMENTS_ONLY, defaulting to true when NODE_ENV=production. */
  get graphqlTrustedDocumentsOnly(): boolean {
    return (
      (this.GRAPHQL_TRUSTED_DOCUMENTS_ONLY ?? (this.NODE_ENV === 'production' ? 'true' : 'false')) === 'true'
    );
  }

  /** GRAPHQL_IDE, defaulting to false in production (see `production`): no IDE page unless asked for. */
  get graphqlIde(): boolean {
    return (this.GRAPHQL_IDE ?? (this.production ? 'false' : 'true')) === 'true';
  }

  /**
   * Production defaults apply (GRAPHQL_INTROSPECTION, FUNCTION_VISIBILITY): NODE_ENV=production, or a real ADX
   * cluster, so a deployment that forgot NODE_ENV is still closed by default.
   */
  get production(): boolean {
    return this.NODE_ENV === 'production' || !this.kustoEmbedded;
  }

  /** True when no ADX cluster is configured: the embedded Kusto engine serves queries and ingestion. */
  get kustoEmbedded(): boolean {
    return !this.KUSTO_CLUSTER_URL;
  }

  /** How to authenticate to kustoClusterUrl: KUSTO_AUTH for a configured cluster, none for the embedded engine. */
  get kustoAuth(): 'auto' | 'azure' | 'none' {
    return this.kustoEmbedded ? 'none' : this.KUSTO_AUTH;
  }

  /** True when neither a connection string nor a namespace is configured: the embedded broker is used. */
  get serviceBusEmbedded(): boolean {
    return !this.SERVICEBUS_CONNECTION_STRING && !this.SERVICEBUS_NAMESPACE;
  }

  /**
   * The Kusto query endpoint to use: the configured ADX cluster, else the embedded engine, which `npm start`
   * always runs on 127.0.0.1:KUSTO_EMBEDDED_PORT.
   */
  get kustoClusterUrl(): string {
    return this.KUSTO_CLUSTER_URL ?? `http://127.0.0.1:${this.KUSTO_EMBEDDED_PORT}`;
  }

  /**
   * The Service Bus connection string to use: the configured one, else the embedded broker's (plain AMQP on
   * 127.0.0.1:SERVICEBUS_EMBEDDED_PORT with `UseDevelopmentEmulator=true`); undefined when only
   * SERVICEBUS_NAMESPACE is set (connect with DefaultAzureCredential instead).
   */
  get serviceBusConnectionString(): string | undefined {
    if (this.SERVICEBUS_CONNECTION_STRING) {
      return this.SERVICEBUS_CONNECTION_STRING;
    }
    if (this.SERVICEBUS_NAMESPACE) {
      return undefined;
    }
    return embeddedServiceBusConnectionString(this.SERVICEBUS_EMBEDDED_PORT);
  }
}

/**
 * The connection string for the embedded broker. The key is the well-known development value of Microsoft's
 * emulator: the embedded broker only verifies tokens when it is configured with a key of its own.
 */
export function embeddedServiceBusConnectionString(port: number, host = '127.0.0.1'): string {
  return `Endpoint=sb://${host}:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true`;
}

/**
 * The largest INGEST_BATCH_MAX_BYTES per KUSTO_INGEST_MODE. Streaming ingestion refuses requests over 4 MB. Queued
 * ingestion uploads a blob, which ADX takes far larger (it recommends 100 MB to 1 GB of uncompressed data per
 * ingestion): 100 MB, the low end of that advice, keeps what the pipeline holds in memory bounded
 * (INGEST_MAX_PARALLEL batches at once). Managed mode queues batches over 4 MB, so it shares queued's limit.
 */
export const INGEST_BATCH_MAX_BYTES_BY_MODE: Readonly<Record<EnvConfig['KUSTO_INGEST_MODE'], number>> = {
  streaming: 4_194_304,
  queued: 104_857_600,
  managed: 104_857_600,
};

const INGEST_BATCH_MIN_BYTES = 1024;

function ingestModeOf(args: ValidationArguments | undefined): EnvConfig['KUSTO_INGEST_MODE'] {
  const mode = (args?.object as { KUSTO_INGEST_MODE?: unknown } | undefined)?.KUSTO_INGEST_MODE;
  return mode === 'queued' || mode === 'managed' ? mode : 'streaming';
}

function batchMaxBytesMessage(args: ValidationArguments): string {
  const mode = ingestModeOf(args);
  const max = INGEST_BATCH_MAX_BYTES_BY_MODE[mode];
  return mode === 'streaming'
    ? `must be a whole number of bytes between ${INGEST_BATCH_MIN_BYTES} and ${max} (the 4 MB streaming ingestion limit)`
    : `must be a whole number of bytes between ${INGEST_BATCH_MIN_BYTES} and ${max} (100 MB per queued ingestion in ${mode} mode)`;
}

/** INGEST_BATCH_MAX_BYTES within its KUSTO_INGEST_MODE's bounds (INGEST_BATCH_MAX_BYTES_BY_MODE). */
function IsBatchSizeForIngestMode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBatchSizeForIngestMode',
      validator: {
        validate(value: unknown, args): boolean {
          return (
            typeof value === 'number' &&
            value >= INGEST_BATCH_MIN_BYTES &&
            value <= INGEST_BATCH_MAX_BYTES_BY_MODE[ingestModeOf(args)]
          );
        },
      },
    },
    options,
  );
}

/** A process of one role uses Azure's services (or their stand-ins run on their own), never an embedded one. */
function HasAzureServicesForRole(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'hasAzureServicesForRole',
      validator: {
        validate(value: unknown, args): boolean {
          const config = args?.object as Partial<EnvConfig> | undefined;
          const kusto = !!config?.KUSTO_CLUSTER_URL;
          const serviceBus = !!config?.SERVICEBUS_CONNECTION_STRING || !!config?.SERVICEBUS_NAMESPACE;
          return value === 'gateway' ? kusto : value === 'ingestion' ? kusto && serviceBus : true;
        },
      },
    },
    options,
  );
}

/** METRICS_PORT must differ from PORT (0, any free port, may appear in both). */
function NotEqualToPort(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'notEqualToPort',
      validator: {
        validate(value: unknown, args): boolean {
          const port = (args?.object as { PORT?: unknown } | undefined)?.PORT;
          return value === 0 || value !== port;
        },
      },
    },
    options,
  );
}

/** The proxy-addr names Fastify's `trustProxy` understands besides addresses. */
const TRUST_PROXY_PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function IsTrustedProxyList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTrustedProxyList',
      validator: {
        validate(value: unknown): boolean {
          return (
            typeof value === 'string' &&
            value.split(',').every((item) => {
              const entry = item.trim();
              if (TRUST_PROXY_PRESETS.has(entry)) {
                return true;
              }
              const [address, prefix, ...rest] = entry.split('/');
              const family = isIP(address);
              const maxPrefix = family === 6 ? 128 : 32;
              return (
                family !== 0 &&
                rest.length === 0 &&
                (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix))
              );
            })
          );
        },
      },
    },
    options,
  );
}

/** CORS_ORIGINS: every entry an origin or pattern (cors-origins.ts), listing each one that is not. */
function IsCorsOriginList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCorsOriginList',
      validator: {
        validate(value: unknown): boolean {
          return typeof value === 'string' && parseCorsOrigins(value).problems.length === 0;
        },
      },
    },
    options,
  );
}

/** CORS_CREDENTIALS=true only with listed origins: credentials are never sent with `Access-Control-Allow-Origin: *`. */
function CredentialsWithListedOrigins(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'credentialsWithListedOrigins',
      validator: {
        validate(value: unknown, args): boolean {
          if (value !== 'true') {
            return true;
          }
          const origins = parseCorsOrigins(
            (args?.object as { CORS_ORIGINS?: string } | undefined)?.CORS_ORIGINS,
          );
          return !origins.any && (origins.exact.size > 0 || origins.patterns.length > 0);
        },
      },
    },
    options,
  );
}

function IsReadableFile(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isReadableFile',
      validator: {
        validate(value: unknown): boolean {
          if (typeof value !== 'string' || value.length === 0) {
            return false;
          }
          try {
            accessSync(value, constants.R_OK);
            return true;
          } catch {
            return false;
          }
        },
      },
    },
    options,
  );
}
