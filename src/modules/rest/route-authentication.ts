import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../common/logging/logger.js';
import type { Principal } from '../auth/principal.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { sendProblem } from './problem-reply.js';

/**
 * Authentication of the plain Fastify routes that call functions (REST, MCP): one step, whichever edge. A refusal
 * is answered here as problem JSON with its challenge (401/403/429), so the route ends without reading anything
 * else of the request.
 *
 * A route with a body authenticates in its onRequest hook, before Fastify reads and parses the body, so that an
 * unauthenticated caller cannot make the gateway parse one; the handler then takes the caller from principalOf().
 * The principal is kept in a WeakMap keyed by the request object, not on the request: it is gone with the request.
 */
export class RouteAuthentication {
  private readonly principals = new WeakMap<FastifyRequest, Principal>();

  /**
   * `accept` may refuse an authenticated caller by throwing (an edge without anonymous access refuses the
   * anonymous principal); its error is answered like the authenticator's.
   */
  constructor(
    private readonly authenticator: RequestAuthenticator,
    private readonly logger: Logger,
    private readonly accept: (principal: Principal) => void = () => undefined,
  ) {}

  /** The caller, or undefined once the refusal has been answered on `reply`. */
  async authenticate(request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined> {
    try {
      const principal = await this.authenticator.authenticate(
        request.headers,
        request.ip,
        String(request.id),
      );
      this.accept(principal);
      return principal;
    } catch (error) {
      sendProblem(reply, request, error, this.logger);
      return undefined;
    }
  }

  /** The route's onRequest hook: authenticates before the body is parsed (see the class comment). */
  readonly onRequest = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> => {
    const principal = await this.authenticate(request, reply);
    if (!principal) {
      // Fastify ends an async hook's request only when the hook returns the reply it answered on.
      return reply;
    }
    this.principals.set(request, principal);
    return undefined;
  };

  /** The caller onRequest authenticated; a route without that hook is a programming error, named here. */
  principalOf(request: FastifyRequest): Principal {
    const principal = this.principals.get(request);
    if (!principal) {
      throw new Error(
        `${request.method} ${request.routeOptions.url ?? request.url}: the route has no RouteAuthentication onRequest hook`,
      );
    }
    return principal;
  }
}
