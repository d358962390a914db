import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cacheControlHeader, isNotModified, representationEtag } from '../cache/http-cache-headers.js';
import { rateLimitHeaders } from '../rate-limit/rate-limit-error.js';
import { AuthErrorCode, wwwAuthenticateHeader } from './auth-error.js';
import { openSecurityContext, securityContextOfRequest } from './request-security-context.js';

const REST_FUNCTIONS_PREFIX = '/api/v1/functions/';

/**
 * Registers the two Fastify hooks of the security layer on the gateway's instance:
 * - `onRequest` opens a RequestSecurityContext for the request (keyed by its headers object, carrying its id);
 * - `onSend` writes the headers the hooks collected: `RateLimit-*` on every function call, `Retry-After` on
 *   429/503, `WWW-Authenticate` on 401 (and `insufficient_scope` on 403), and for a single cached REST GET
 *   `ETag` + `Cache-Control` — answering `304 Not Modified` when `If-None-Match` matches.
 */
export function registerSecurityHttpHooks(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    openSecurityContext(request.headers, request.id);
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    try {
      done(null, applySecurityHeaders(request, reply, payload));
    } catch (error) {
      done(error as Error);
    }
  });
}

function applySecurityHeaders(request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
  const context = securityContextOfRequest(request.headers);
  if (!context) {
    return payload;
  }
  const status = reply.statusCode;
  const refused = status === 429 || status === 503;
  if (context.rateLimit) {
    reply.headers(rateLimitHeaders(context.rateLimit.state));
  }
  if (refused && !reply.hasHeader('retry-after')) {
    const seconds =
      status === 429
        ? (context.rateLimit?.retryAfterSeconds ?? context.authError?.retryAfterSeconds)
        : context.engineBusyRetryAfterSeconds;
    reply.header('Retry-After', String(Math.max(1, seconds ?? 1)));
  }
  if (context.authError && (status === 401 || status === 403) && !reply.hasHeader('www-authenticate')) {
    const challenge = wwwAuthenticateHeader(context.authError);
    if (challenge) {
      reply.header('WWW-Authenticate', challenge);
    }
  } else if (status === 401 && !reply.hasHeader('www-authenticate')) {
    reply.header(
      'WWW-Authenticate',
      wwwAuthenticateHeader({ code: AuthErrorCode.Unauthenticated, message: '' })!,
    );
  }

  const [single, ...others] = context.cacheOutcomes;
  const isRestGet =
    (request.method === 'GET' || request.method === 'HEAD') && request.url.startsWith(REST_FUNCTIONS_PREFIX);
  // An edge that already set its own validator (or caching policy) knows better than this generic hook.
  if (!single || others.length > 0 || !isRestGet || status !== 200 || reply.hasHeader('etag')) {
    return payload;
  }
  const { outcome, shared } = single;
  const etag = representationEtag(outcome.etag ?? '', String(reply.getHeader('content-type') ?? ''));
  if (!reply.hasHeader('cache-control')) {
    reply.header(
      'Cache-Control',
      cacheControlHeader(
        {
          ttlSeconds: outcome.ttlSeconds ?? 0,
          ageSeconds: outcome.ageSeconds ?? 0,
          staleWhileRevalidateSeconds:
            (outcome as { staleWhileRevalidateSeconds?: number }).staleWhileRevalidateSeconds ?? 0,
        },
        shared,
      ),
    );
  }
  if (!etag) {
    return payload;
  }
  reply.header('ETag', etag);
  if (outcome.ageSeconds !== undefined) {
    reply.header('Age', String(outcome.ageSeconds));
  }
  if (isNotModified(request.headers['if-none-match'], etag)) {
    reply.code(304);
    reply.removeHeader('content-length');
    return '';
  }
  return payload;
}
