import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../common/logging/logger.js';
import { REQUEST_ID_HEADER, registerRequestIds, requestIdOf } from '../../common/logging/request-id.hook.js';
import { QueryAuditLogger } from '../audit/query-audit.logger.js';
import type { QueryFunctionInfo } from '../query/query-hooks.js';
import { MemoryCacheStore, MemoryTableGenerations } from '../cache/memory-cache.store.js';
import { QueryResultCache } from '../cache/query-result-cache.js';
import { ApiKeyStore } from './api-key.store.js';
import type { AuthComponents } from './auth-settings.js';
import { DEV_AUDIENCE, DEV_ISSUER, DevSigningKeyStore } from './dev-signing-key.store.js';
import { JwksSource } from './jwks-source.js';
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier } from './jwt-verifier.js';
import { RequestAuthenticator } from './request-authenticator.js';
import { registerSecurityHttpHooks } from './security-http.hooks.js';
import {
  SecurityAuthorizationPolicy,
  SecurityRequestAuthenticator,
  SecurityResultCache,
} from './security-hooks.js';

const FN: QueryFunctionInfo = {
  name: 'TenantOrders',
  tables: ['Orders'],
  cacheTtlSeconds: 60,
  anonymous: false,
  roles: ['analyst'],
  scopes: [],
  boundParameters: {},
  cost: 1,
};

/**
 * A real Fastify instance with the gateway's request ids and security hooks, and one route that runs the
 * Nest-bound security hooks as a function call does; the audit lines land in `lines`.
 */
async function gatewayLike(
  lines: Record<string, unknown>[],
  dataDir: string,
): Promise<{ fastify: FastifyInstance; keys: DevSigningKeyStore }> {
  const spy: Logger = {
    debug: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    info: (obj) => lines.push(obj as Record<string, unknown>),
  };
  const audit = new QueryAuditLogger(spy);
  const keys = new DevSigningKeyStore(dataDir);
  const verifier = new JwtVerifier(JwksSource.local(await keys.publicJwks()), {
    issuers: [DEV_ISSUER],
    audiences: [DEV_AUDIENCE],
    algorithms: DEFAULT_JWT_ALGORITHMS,
    clockToleranceSeconds: 60,
  });
  const components: AuthComponents = {
    mode: { kind: 'dev', issuers: [DEV_ISSUER], audiences: [DEV_AUDIENCE] },
    authenticator: new RequestAuthenticator(verifier, ApiKeyStore.empty()),
    apiKeys: ApiKeyStore.empty(),
  };
  const authenticator = new SecurityRequestAuthenticator(components, audit);
  const policy = new SecurityAuthorizationPolicy(audit);
  const cache = new SecurityResultCache(
    new QueryResultCache({
      store: new MemoryCacheStore(1024 * 1024),
      generations: new MemoryTableGenerations(),
    }),
    audit,
  );
  const fastify = Fastify({ logger: false, genReqId: requestIdOf });
  registerRequestIds(fastify);
  registerSecurityHttpHooks(fastify);
  fastify.get('/api/v1/functions/TenantOrders', async (request) => {
    const principal = await authenticator.authenticate(request.headers);
    policy.authorize(principal, FN);
    const outcome = await cache.getOrLoad(
      {
        functionName: FN.name,
        tables: ['Orders'],
        params: {},
        boundClaims: {},
        ttlSeconds: 60,
        caller: principal,
      },
      () => Promise.resolve({ rows: [{ OrderId: 'o-1' }] }),
    );
    return outcome.value;
  });
  fastify.setErrorHandler((error, _request, reply) => {
    void reply.status((error as { statusCode?: number }).statusCode ?? 401).send({ error: 'refused' });
  });
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  return { fastify, keys };
}

describe('audit lines of a request', () => {
  let lines: Record<string, unknown>[];
  let fastify: FastifyInstance;
  let keys: DevSigningKeyStore;
  let dataDir: string;

  beforeEach(async () => {
    lines = [];
    dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-audit-reqid-'));
    ({ fastify, keys } = await gatewayLike(lines, dataDir));
  });

  afterEach(async () => {
    await fastify.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function call(token: string | undefined, requestId: string): Promise<Response> {
    const address = fastify.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return fetch(`http://127.0.0.1:${port}/api/v1/functions/TenantOrders`, {
      headers: {
        [REQUEST_ID_HEADER]: requestId,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
  }

  it('should carry the request id of an answered call, so the audit line joins the request line', async () => {
    const token = await keys.sign({ subject: 'alice', roles: ['analyst'] });
    const response = await call(token, 'trace-ok.1');
    expect(response.status).toBe(200);
    expect(lines).toEqual([
      expect.objectContaining({
        audit: 'query',
        reqId: 'trace-ok.1',
        function: 'TenantOrders',
        outcome: 'ok',
      }),
    ]);
  });

  it('should carry the request id of refused calls: unauthenticated and forbidden', async () => {
    expect((await call(undefined, 'trace-401.1')).status).toBe(401);
    const support = await keys.sign({ subject: 'bob', roles: ['support'] });
    expect((await call(support, 'trace-403.1')).status).not.toBe(200);
    expect(lines).toEqual([
      expect.objectContaining({ reqId: 'trace-401.1', outcome: 'unauthenticated' }),
      expect.objectContaining({ reqId: 'trace-403.1', function: 'TenantOrders', outcome: 'forbidden' }),
    ]);
  });
});
