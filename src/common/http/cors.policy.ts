import type { FastifyCorsOptions } from '@fastify/cors';
import type { EnvConfig } from '../../config/env.dto.js';
import { REQUEST_ID_HEADER } from '../logging/request-id.hook.js';
import { isOriginAllowed, parseCorsOrigins, type CorsOriginList } from './cors-origins.js';

/**
 * Request headers a browser page may send across origins: the credentials (Bearer token, partner key), JSON
 * bodies, revalidation, content negotiation, a trace id, the SSE resume point, and the headers Apollo's CSRF
 * prevention asks GraphQL GET requests to carry.
 */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'x-api-key',
  'content-type',
  'if-none-match',
  'accept',
  REQUEST_ID_HEADER,
  'last-event-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
] as const;

/**
 * Response headers a page may read besides the CORS-safelisted ones (Cache-Control, Content-Type…): cache
 * validators (http-cache-headers.ts), the caller's budget and wait (rate-limit-error.ts, refusal-headers.ts), the
 * challenge of a 401, the request id to quote, and the row count and truncation flag of a REST result.
 */
export const CORS_EXPOSED_HEADERS = [
  'ETag',
  'Age',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Retry-After',
  'WWW-Authenticate',
  REQUEST_ID_HEADER,
  'x-kqlgate-row-count',
  'x-kqlgate-truncated',
] as const;

/** Every route answers GET, HEAD or POST; OPTIONS is the preflight itself. */
export const CORS_METHODS = ['GET', 'HEAD', 'POST'] as const;

/**
 * The @fastify/cors options of CORS_ORIGINS, CORS_CREDENTIALS and CORS_MAX_AGE_SECONDS, or undefined when no
 * origin is configured: then nothing is registered and no response carries a CORS header.
 *
 * The origin is decided by a function rather than handed to the plugin as a list, because for a list the plugin
 * still sends `Access-Control-Allow-Credentials` and `-Expose-Headers` to a refused origin and answers its
 * preflight with the allowed methods; refusing (`false`) sends none of that, and the preflight of a refused origin
 * falls through to a 404. The answer depends on `Origin`, so every response says `Vary: Origin`.
 */
export function corsOptions(
  config: EnvConfig,
  origins: CorsOriginList = parseCorsOrigins(config.CORS_ORIGINS),
): FastifyCorsOptions | undefined {
  if (!origins.any && origins.exact.size === 0 && origins.patterns.length === 0) {
    return undefined;
  }
  return {
    origin: (origin, callback) => callback(null, allowOrigin(origins, origin)),
    credentials: config.CORS_CREDENTIALS === 'true',
    methods: [...CORS_METHODS],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: config.CORS_MAX_AGE_SECONDS,
    // A preflight is answered before authentication (browsers send it without credentials) and ends there.
    preflightContinue: false,
    optionsSuccessStatus: 204,
  };
}

/** `*` for any origin (never with credentials: env.dto.ts refuses that), else the origin itself, else refused. */
function allowOrigin(origins: CorsOriginList, origin: string | undefined): string | false {
  if (!isOriginAllowed(origins, origin)) {
    return false;
  }
  return origins.any ? '*' : origin!;
}
