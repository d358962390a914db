import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logging/logger.js';
import { AuthError, AuthErrorCode } from '../auth/auth-error.js';
import { anonymousPrincipal, type Principal } from '../auth/principal.js';
import type { CredentialHeaders, RequestAuthenticator } from '../auth/request-authenticator.js';
import { RouteAuthentication } from './route-authentication.js';

const ANALYST: Principal = { id: 'user-1', roles: ['analyst'], scopes: [], claims: {}, anonymous: false };

/** Accepts `authorization: Bearer good`, no credentials as anonymous, anything else as an invalid token. */
class StubAuthenticator implements RequestAuthenticator {
  calls = 0;

  authenticate(headers: CredentialHeaders): Promise<Principal> {
    this.calls += 1;
    if (headers.authorization === undefined) {
      return Promise.resolve(anonymousPrincipal());
    }
    return headers.authorization === 'Bearer good'
      ? Promise.resolve(ANALYST)
      : Promise.reject(new AuthError(AuthErrorCode.InvalidToken, 'the bearer token is not valid'));
  }
}

describe(RouteAuthentication.name, () => {
  let fastify: FastifyInstance;
  let authenticator: StubAuthenticator;
  let parsedBodies: number;

  beforeEach(async () => {
    fastify = Fastify();
    authenticator = new StubAuthenticator();
    parsedBodies = 0;
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      parsedBodies += 1;
      done(null, JSON.parse(body as string) as unknown);
    });
    const open = new RouteAuthentication(authenticator, silentLogger);
    const closed = new RouteAuthentication(authenticator, silentLogger, (principal) => {
      if (principal.anonymous) {
        throw new AuthError(AuthErrorCode.Unauthenticated, '/closed requires authentication');
      }
    });
    fastify.post('/open', { onRequest: open.onRequest }, (request) => ({
      caller: open.principalOf(request).id,
    }));
    fastify.post('/closed', { onRequest: closed.onRequest }, (request) => ({
      caller: closed.principalOf(request).id,
    }));
    fastify.post('/unhooked', (request) => ({ caller: open.principalOf(request).id }));
    await fastify.ready();
  });

  afterEach(async () => {
    await fastify.close();
  });

  function post(url: string, authorization?: string) {
    return fastify.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      payload: '{"a":1}',
    });
  }

  describe('onRequest', () => {
    it('should hand the authenticated caller to the handler', async () => {
      const response = await post('/open', 'Bearer good');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ caller: 'user-1' });
    });

    it('should answer a refused credential as problem JSON without parsing the body', async () => {
      const response = await post('/open', 'Bearer forged');
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(response.json()).toMatchObject({
        status: 401,
        code: 'AUTH_INVALID_TOKEN',
        title: 'the bearer token is not valid',
      });
      expect(parsedBodies).toBe(0);
    });

    it("should answer the accept callback's refusal like the authenticator's", async () => {
      const response = await post('/closed');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({
        code: 'AUTH_UNAUTHENTICATED',
        title: '/closed requires authentication',
      });
      expect(parsedBodies).toBe(0);
      expect((await post('/open')).json()).toEqual({ caller: 'anonymous' });
    });
  });

  describe('principalOf', () => {
    it('should name the route whose handler asks for a caller it never authenticated', async () => {
      const response = await post('/unhooked', 'Bearer good');
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({
        message: 'POST /unhooked: the route has no RouteAuthentication onRequest hook',
      });
      expect(authenticator.calls).toBe(0);
    });
  });
});
