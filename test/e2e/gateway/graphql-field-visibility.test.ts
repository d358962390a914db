import { buildClientSchema, getIntrospectionQuery, printSchema, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startRealGateway, type RealGateway } from '../security/real-gateway.js';

/**
 * GRAPHQL_FIELD_VISIBILITY=callable over real HTTP with real JWTs: each caller's introspection (and so the SDL a
 * client generates from it) lists only the functions that caller may call. The test functions
 * (real-gateway.ts): TenantOrderList (analyst, support), TenantPayments (analyst), PublicOrderCount (anonymous).
 */
describe('GraphQL schema per caller (GRAPHQL_FIELD_VISIBILITY=callable)', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: RealGateway;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('graphql-visibility');
    gateway = await startRealGateway(dir, {
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      GRAPHQL_FIELD_VISIBILITY: 'callable',
    });
    await ingestInline(gateway, 'Orders', ['A,a-1,10', 'B,b-1,30']);
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
  const graphql = async (query: string, headers: Record<string, string>) => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sdlOf = async (headers: Record<string, string>) => {
    const { status, body } = await graphql(getIntrospectionQuery(), headers);
    expect(status).toBe(200);
    return printSchema(buildClientSchema(body.data as IntrospectionQuery));
  };
  const queryFields = (sdl: string) =>
    [...(/type Query \{([\s\S]*?)\n\}/.exec(sdl)?.[1] ?? '').matchAll(/^ {2}(\w+)[(:]/gm)].map((m) => m[1]);

  it('should show each role only the fields it may call, in introspection and the SDL', async () => {
    const analyst = await sdlOf(await bearer(['analyst']));
    const support = await sdlOf(await bearer(['support']));
    const anonymous = await sdlOf({});

    expect(queryFields(analyst)).toEqual(['PublicOrderCount', 'TenantOrderList', 'TenantPayments']);
    expect(queryFields(support)).toEqual(['PublicOrderCount', 'TenantOrderList']);
    expect(support).not.toContain('TenantPaymentsRow');
    expect(queryFields(anonymous)).toEqual(['PublicOrderCount']);
    // Roles in another order, or an extra unknown role, give the same view.
    expect(await sdlOf(await bearer(['marketing', 'support']))).toBe(support);
  });

  it('should refuse a hidden field as unknown, and still answer the visible ones', async () => {
    const asSupport = await bearer(['support']);
    const hidden = await graphql('{ TenantPayments { PaymentId } }', asSupport);
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors).toMatchObject([
      {
        message: 'Cannot query field "TenantPayments" on type "Query".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
    const visible = await graphql('{ TenantOrderList { OrderId } }', asSupport);
    expect(visible).toMatchObject({ status: 200, body: { data: { TenantOrderList: [{ OrderId: 'a-1' }] } } });
    const analyst = await graphql('{ TenantPayments { PaymentId } }', await bearer(['analyst']));
    expect(analyst.body.data).toEqual({ TenantPayments: [{ PaymentId: 'p-1' }] });
  });
});
