import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startRealGateway, type RealGateway } from './real-gateway.js';

/**
 * What each caller can learn about the functions on every surface, over real HTTP with real JWTs. The test
 * functions (real-gateway.ts): TenantOrderList (roles analyst, support), TenantPayments (analyst),
 * PublicOrderCount (anonymous).
 */
const ALL_NAMES = ['PublicOrderCount', 'TenantOrderList', 'TenantPayments'];

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** An answer with the function name taken out, to compare the answers for two names. */
function withoutName(answer: Answer, name: string): unknown {
  return {
    status: answer.status,
    contentType: answer.headers.get('content-type'),
    wwwAuthenticate: answer.headers.get('www-authenticate'),
    body: answer.text.replaceAll(name, '<name>'),
  };
}

describe('function visibility on every surface (FUNCTION_VISIBILITY=callable)', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: RealGateway;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('function-visibility');
    gateway = await startRealGateway(dir, {
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      FUNCTION_VISIBILITY: 'callable',
    });
    await ingestInline(gateway, 'Orders', ['A,a-1,10']);
    await ingestInline(gateway, 'Payments', ['A,p-1,5']);
  });
  afterAll(async () => {
    await gateway?.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  const bearer = async (roles: string[]) => ({
    authorization: `Bearer ${await issuer.token({ sub: roles.join('+') || 'nobody', roles, claims: { tid: 'A' } })}`,
  });
  const call = (name: string, headers: Record<string, string> = {}) =>
    get(`${gateway.url}/api/v1/functions/${name}`, headers);

  it('should answer a function an anonymous caller may not see exactly as an unknown one, naming none', async () => {
    const unknown = await call('NoSuchThing');
    const hidden = await call('TenantPayments');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toEqual({
      function: 'NoSuchThing',
      type: 'https://kqlgate.dev/problems/query-function-not-found',
      title:
        'no function named NoSuchThing; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
      status: 404,
      code: 'QUERY_FUNCTION_NOT_FOUND',
    });
    expect(withoutName(hidden, 'TenantPayments')).toEqual(withoutName(unknown, 'NoSuchThing'));
    for (const name of ALL_NAMES) {
      expect(unknown.text).not.toContain(name);
    }
  });

  it('should not name the required roles to a caller that may not see the function', async () => {
    const support = await bearer(['support']);
    const hidden = await call('TenantPayments', support);
    const unknown = await call('TenantPaymentz', support);
    expect(hidden.status).toBe(404);
    expect(hidden.text).not.toContain('analyst');
    expect(withoutName(hidden, 'TenantPayments')).toEqual(withoutName(unknown, 'TenantPaymentz'));
    // What the caller may see stays helpful: a slip in the name gets a suggestion, a visible function answers.
    expect(JSON.parse((await call('tenantorderlist', support)).text)).toMatchObject({
      status: 404,
      title:
        'no function named tenantorderlist; did you mean TenantOrderList?; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
    });
    expect((await call('TenantOrderList', support)).status).toBe(200);
    expect((await call('TenantPayments', await bearer(['analyst']))).status).toBe(200);
  });

  it("should list in each caller's OpenAPI document (the explorer's list) only the functions it may call", async () => {
    const paths = async (headers: Record<string, string>) => {
      const answer = await get(`${gateway.url}/api/v1/openapi.json`, headers);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('vary')).toBe('Authorization, X-API-Key');
      expect(answer.headers.get('cache-control')).toBe('private, no-cache');
      return Object.keys((JSON.parse(answer.text) as { paths: Record<string, unknown> }).paths);
    };
    expect(await paths({})).toEqual(['/api/v1/functions/PublicOrderCount']);
    expect(await paths(await bearer(['support']))).toEqual([
      '/api/v1/functions/PublicOrderCount',
      '/api/v1/functions/TenantOrderList',
    ]);
    expect(await paths(await bearer(['analyst']))).toEqual(ALL_NAMES.map((n) => `/api/v1/functions/${n}`));

    const badToken = await get(`${gateway.url}/api/v1/openapi.json`, { authorization: 'Bearer not.a.jwt' });
    expect(badToken.status).toBe(401);
    expect(JSON.parse(badToken.text)).toMatchObject({ code: 'AUTH_INVALID_TOKEN' });
  });

  it('should govern the GraphQL schema with the same setting', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ TenantPayments { PaymentId } }' }),
    });
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors[0].message).toBe('Cannot query field "TenantPayments" on type "Query".');
  });
});

describe('function visibility by default with the embedded stack (all)', () => {
  let dir: string;
  let gateway: RealGateway;

  beforeAll(async () => {
    dir = await tempDir('function-visibility-all');
    gateway = await startRealGateway(dir, {});
  });
  afterAll(async () => {
    await gateway?.close();
    await removeDir(dir);
  });

  it('should list no function names in a 404, also to callers without credentials', async () => {
    const unknown = await get(`${gateway.url}/api/v1/functions/NoSuchThing`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({
      code: 'QUERY_FUNCTION_NOT_FOUND',
      title:
        'no function named NoSuchThing; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
    });
    // Every caller sees every function here, so the refusal of a visible one says what is missing.
    const refused = await get(`${gateway.url}/api/v1/functions/TenantPayments`);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
    const openapi = JSON.parse((await get(`${gateway.url}/api/v1/openapi.json`)).text) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(ALL_NAMES.map((n) => `/api/v1/functions/${n}`));
  });
});
