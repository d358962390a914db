import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { isOriginAllowed, type CorsOriginList } from './cors-origins.js';

/**
 * Cross-site WebSocket hijacking defence. Browsers apply no CORS to a WebSocket: any page may open one to the
 * gateway and the browser sends along whatever credentials it holds, so the server must check `Origin` itself.
 *
 * An upgrade is allowed when it carries no `Origin` (not a browser), comes from the gateway's own origin (same
 * host), or from an origin CORS_ORIGINS allows; anything else is refused.
 */
export function isUpgradeOriginAllowed(origins: CorsOriginList, headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) {
    return true;
  }
  const host = headers.host;
  const sameHost = host !== undefined && origin.slice(origin.indexOf('://') + 3) === host.toLowerCase();
  return sameHost || isOriginAllowed(origins, origin);
}

/**
 * Refuses upgrades from a disallowed origin with 403 on the gateway's HTTP server, for every WebSocket endpoint
 * there is or will be (GraphQL subscriptions attach an `upgrade` listener to this server):
 * - while the server has an `upgrade` listener, Node emits `upgrade` for such requests: the server's `emit` is
 *   wrapped so a refused one reaches no listener at all, whatever order listeners were added in;
 * - while it has none, Node hands them to Fastify as ordinary requests: an onRequest hook refuses them there.
 * Both answer the same problem JSON.
 */
export function registerUpgradeOriginGuard(fastify: FastifyInstance, origins: CorsOriginList): void {
  const server: Server = fastify.server;
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event === 'upgrade') {
      const [request, socket] = args as [IncomingMessage, Duplex];
      if (!isUpgradeOriginAllowed(origins, request.headers)) {
        refuseOnSocket(socket, request.headers.origin!);
        return true;
      }
    }
    return emit(event, ...args);
  }) as Server['emit'];
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.headers.upgrade === undefined || isUpgradeOriginAllowed(origins, request.headers)) {
      done();
      return;
    }
    void reply
      .status(403)
      .header('content-type', PROBLEM_TYPE)
      .header('connection', 'close')
      .send(refusal(request.headers.origin!));
  });
}

const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

function refusal(origin: string): { status: 403; code: string; title: string } {
  return {
    status: 403,
    code: 'UPGRADE_ORIGIN_REFUSED',
    title: `a page from ${origin} may not open a connection here: add the origin to CORS_ORIGINS to allow it`,
  };
}

function refuseOnSocket(socket: Duplex, origin: string): void {
  const body = JSON.stringify(refusal(origin));
  socket.end(
    [
      'HTTP/1.1 403 Forbidden',
      `Content-Type: ${PROBLEM_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}
