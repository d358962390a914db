import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../../src/modules/auth/api-key-hasher.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { startStandInApp, type StandInApp } from './stand-in-gateway.js';

const kqlDir = resolve(import.meta.dirname, '../../../kql');

describe('security layer over HTTP (stand-in gateway)', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: StandInApp;
  let apiKey: string;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('security-e2e');
    apiKey = generateApiKey('acme');
    const keysFile = join(dir, 'api-keys.yaml');
    await writeFile(
      keysFile,
      `keys:\n  - id: acme\n    hash: ${await hashApiKey(apiKey)}\n    roles: [support]\n    claims: { tid: B }\n`,
    );
    gateway = await startStandInApp({
      DATA_DIR: dir,
      KQL_DIR: kqlDir,
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      API_KEYS_FILE: keysFile,
      RATE_LIMIT_POINTS: '1000',
      LOG_LEVEL: 'silent',
    });
  });
  afterAll(async () => {
    await gateway?.app.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  const call = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, { headers });
  const bearer = async (options: Parameters<TestJwtIssuer['token']>[0]) => ({
    authorization: `Bearer ${await issuer.token(options)}`,
  });

  describe('tokens', () => {
    it('should answer 200 to a valid token with the role', async () => {
      const response = await call(
        '/api/v1/functions/TenantOrders',
        await bearer({ sub: 'ok', roles: ['analyst'], claims: { tid: 'A' } }),
      );
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ data: [{ TenantId: 'A', OrderId: 'a-1' }] });
    });

    const broken: [string, () => Promise<string> | string, string][] = [
      [
        'expired',
        () => issuer.token({ roles: ['analyst'], claims: { tid: 'A' }, expiresIn: -300 }),
        'token expired',
      ],
      [
        'not yet valid',
        () => issuer.token({ roles: ['analyst'], claims: { tid: 'A' }, notBefore: 600 }),
        'token is not valid yet',
      ],
      [
        'wrong issuer',
        () => issuer.token({ roles: ['analyst'], issuer: 'https://other/' }),
        'token issuer "https://other/" is not accepted',
      ],
      [
        'wrong audience',
        () => issuer.token({ roles: ['analyst'], audience: 'api://other' }),
        'token audience "api://other" is not accepted',
      ],
      [
        'unknown kid',
        () => issuer.token({ roles: ['analyst'], kid: 'rotated-away' }),
        'token key id (kid) is not in the JWKS',
      ],
      [
        'alg none',
        () => issuer.unsignedToken({ roles: ['analyst'] }),
        'token signing algorithm is not allowed',
      ],
      [
        'HS256 with the public key',
        () => issuer.hs256WithPublicKey({ roles: ['analyst'] }),
        'token signing algorithm is not allowed',
      ],
      ['tampered payload', () => issuer.tamperedToken({ roles: [] }), 'token signature verification failed'],
    ];
    it.each(broken)('should answer 401 to a token that is %s', async (_name, make, message) => {
      const response = await call('/api/v1/functions/TenantOrders', {
        authorization: `Bearer ${await make()}`,
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="kqlgate", error="invalid_token", error_description="/,
      );
      const body = (await response.json()) as { code: string; message: string };
      expect(body.code).toBe('AUTH_INVALID_TOKEN');
      expect(body.message).toContain(message);
    });

    it('should answer 403 when the role is missing', async () => {
      const response = await call(
        '/api/v1/functions/TenantOrders',
        await bearer({ roles: ['marketing'], claims: { tid: 'A' } }),
      );
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({
        code: 'AUTH_FORBIDDEN',
        message: 'function TenantOrders requires one of: role analyst, role support',
      });
      expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    });

    it('should answer 401 with a challenge when no credentials are sent, and 200 for an anonymous function', async () => {
      const refused = await call('/api/v1/functions/Payments');
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="kqlgate", ApiKey realm="kqlgate"');
      expect((await call('/api/v1/functions/PublicStats')).status).toBe(200);
    });

    it('should accept an API key and refuse a wrong one', async () => {
      const ok = await call('/api/v1/functions/TenantOrders', { 'x-api-key': apiKey });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ data: [{ TenantId: 'B' }] });
      const wrong = await call('/api/v1/functions/TenantOrders', { 'x-api-key': generateApiKey('acme') });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({
        code: 'AUTH_INVALID_API_KEY',
        message: 'API key is not valid',
      });
    });
  });

  describe('tenant isolation', () => {
    it('should never return tenant B rows to a caller bound to tenant A, by parameter or cache', async () => {
      const asA = await bearer({ sub: 'iso-a', roles: ['support'], claims: { tid: 'A' } });
      const asB = await bearer({ sub: 'iso-b', roles: ['support'], claims: { tid: 'B' } });
      const b = await call('/api/v1/functions/TenantOrders?limit=7', asB);
      expect(await b.json()).toMatchObject({ data: [{ TenantId: 'B' }] });
      const a = await call('/api/v1/functions/TenantOrders?limit=7', asA);
      expect(await a.json()).toMatchObject({ data: [{ TenantId: 'A' }] });
      const sneaky = await call('/api/v1/functions/TenantOrders?tenantId=B', asA);
      expect(sneaky.status).toBe(400);
      expect(await sneaky.json()).toMatchObject({
        code: 'AUTH_BOUND_PARAMETER_SUPPLIED',
        message:
          'parameter tenantId of TenantOrders is taken from the caller\'s "tid" claim and must not be passed',
      });
      const noClaim = await call('/api/v1/functions/TenantOrders', await bearer({ roles: ['support'] }));
      expect(noClaim.status).toBe(403);
    });
  });

  describe('cache', () => {
    it('should run one engine query for 100 concurrent identical cold requests', async () => {
      const headers = await bearer({ sub: 'burst', roles: ['analyst'], claims: { tid: 'A' } });
      const before = gateway.engine.queries;
      const responses = await Promise.all(
        Array.from({ length: 100 }, () => call('/api/v1/functions/TenantOrders?burst=1', headers)),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(100).fill(200));
      expect(gateway.engine.queries - before).toBe(1);
    });

    it('should send ETag and Cache-Control, and 304 on If-None-Match', async () => {
      const headers = await bearer({ sub: 'etag', roles: ['analyst'], claims: { tid: 'A' } });
      const first = await call('/api/v1/functions/TenantOrders?etag=1', headers);
      const etag = first.headers.get('etag')!;
      expect(etag).toMatch(/^"[\w-]{27}"$/);
      expect(first.headers.get('cache-control')).toBe('private, max-age=60');
      const again = await call('/api/v1/functions/TenantOrders?etag=1', {
        ...headers,
        'if-none-match': etag,
      });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    });

    it('should return rows ingested after caching, within the TTL, and keep other functions cached', async () => {
      const headers = await bearer({ sub: 'ingest', roles: ['analyst'], claims: { tid: 'A' } });
      await call('/api/v1/functions/TenantOrders?fresh=1', headers);
      await call('/api/v1/functions/Payments?fresh=1', headers);
      gateway.engine.rows.push({ TenantId: 'A', OrderId: 'a-2', Table: 'Orders' });
      gateway.engine.rows.push({ TenantId: 'A', OrderId: 'p-2', Table: 'Payments' });
      // Ingestion commits to the raw table; the update policy in kql/tables derives Orders from it.
      gateway.events.emit({ database: 'analytics', table: 'RawOrderEvents', rows: 1 });
      const orders = (await (await call('/api/v1/functions/TenantOrders?fresh=1', headers)).json()) as {
        data: { OrderId: string }[];
        meta: { cache: string };
      };
      expect(orders.meta.cache).toBe('miss');
      expect(orders.data.map((row) => row.OrderId)).toEqual(['a-1', 'a-2']);
      const payments = (await (await call('/api/v1/functions/Payments?fresh=1', headers)).json()) as {
        data: { OrderId: string }[];
        meta: { cache: string };
      };
      expect(payments.meta.cache).toBe('hit');
      expect(payments.data.map((row) => row.OrderId)).toEqual(['p-1']);
    });
  });

  describe('rate limits', () => {
    it('should answer 429 with Retry-After and RateLimit headers while another client is unaffected', async () => {
      const greedy = await bearer({ sub: 'greedy', roles: ['analyst'], claims: { tid: 'A' } });
      const polite = await bearer({ sub: 'polite', roles: ['analyst'], claims: { tid: 'A' } });
      let last: Response | undefined;
      for (let i = 0; i < 20; i += 1) {
        last = await call('/api/v1/functions/Expensive', greedy);
        expect(last.status).toBe(200);
        expect(last.headers.get('ratelimit-remaining')).toBe(String(1000 - 50 * (i + 1)));
      }
      const refused = await call('/api/v1/functions/Expensive', greedy);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('ratelimit-limit')).toBe('1000');
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('ratelimit-policy')).toBe('1000;w=60');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await refused.json()).toMatchObject({ code: 'RATE_LIMITED' });
      const other = await call('/api/v1/functions/Expensive', polite);
      expect(other.status).toBe(200);
      expect(other.headers.get('ratelimit-remaining')).toBe('950');
    });
  });
});

describe('engine concurrency cap over HTTP (stand-in gateway)', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: StandInApp;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('security-busy');
    gateway = await startStandInApp({
      DATA_DIR: dir,
      KQL_DIR: kqlDir,
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      ENGINE_MAX_CONCURRENCY: '1',
      ENGINE_QUEUE_LIMIT: '1',
      LOG_LEVEL: 'silent',
    });
    // Long enough that every request below arrives while the first engine query still holds the only slot.
    gateway.engine.delayMs = 1500;
  });
  afterAll(async () => {
    await gateway?.app.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  it('should queue one query and answer 503 with Retry-After beyond the queue', async () => {
    const headers = {
      authorization: `Bearer ${await issuer.token({ roles: ['analyst'], claims: { tid: 'A' } })}`,
    };
    const call = (query: string) => fetch(`${gateway.url}/api/v1/functions/Payments?${query}`, { headers });
    const running = call('n=1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const queued = call('n=2');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await call('n=3');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({
      code: 'ENGINE_BUSY',
      message: 'the query engine is saturated (1 queries running, 1 waiting); retry shortly',
    });
    expect((await running).status).toBe(200);
    expect((await queued).status).toBe(200);
    expect(gateway.engine.queries).toBe(2);
  });
});
