import type { FastifyReply } from 'fastify';
import type { WebAsset } from './explorer-assets.js';

/**
 * Answers with a built page under its own CSP (never cached, so a new build's hashed assets are picked up), or,
 * when `npm run build` has not written it, a 404 saying so and where the API is.
 */
export function sendWebPage(
  reply: FastifyReply,
  page: WebAsset | undefined,
  csp: string,
  notBuilt: string,
): FastifyReply {
  if (!page) {
    return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send(notBuilt);
  }
  return reply
    .status(200)
    .header('content-type', page.contentType)
    .header('cache-control', 'no-cache')
    .header('content-security-policy', csp)
    .send(page.body);
}
