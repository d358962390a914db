import type { FastifyInstance } from 'fastify';

export interface SecurityHeaderOptions {
  /** `Strict-Transport-Security: max-age=…` on responses to HTTPS requests; 0 sends none. */
  readonly hstsMaxAgeSeconds: number;
}

/**
 * The policy of an HTML response that sets none itself: nothing may load or run, not even inline code. A page
 * with code of its own (the explorer at `/`) sets its own policy allowing exactly its bundled files.
 */
export const STRICT_HTML_CSP =
  "default-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** For JSON, CSV and the rest: nothing to load, and no framing (OWASP's advice for APIs). */
const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers every response carries, whatever route (or Fastify's own 404/400 handlers) produced it:
 * - `X-Content-Type-Options: nosniff`: a browser never second-guesses a declared type (a CSV cell or JSON string
 *   that looks like HTML stays data);
 * - `Referrer-Policy: no-referrer`: a link followed from the explorer does not leak the gateway's URL and query string;
 * - `Content-Security-Policy`: the route's own policy, else a strict default;
 * - `Strict-Transport-Security` when the request came over HTTPS: `request.protocol` is `https` for a TLS socket,
 *   or for `X-Forwarded-Proto: https` from a proxy listed in TRUST_PROXY (TLS usually ends at the proxy). Never
 *   on plain HTTP, where the header means nothing and would be a lie on a local development setup.
 */
export function registerSecurityHeaders(fastify: FastifyInstance, options: SecurityHeaderOptions): void {
  const hsts = options.hstsMaxAgeSeconds > 0 ? `max-age=${options.hstsMaxAgeSeconds}` : undefined;
  fastify.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('content-security-policy')) {
      const type = reply.getHeader('content-type');
      const html = typeof type === 'string' && type.startsWith('text/html');
      reply.header('content-security-policy', html ? STRICT_HTML_CSP : NON_HTML_CSP);
    }
    if (hsts && request.protocol === 'https') {
      reply.header('strict-transport-security', hsts);
    }
    done(null, payload);
  });
}
