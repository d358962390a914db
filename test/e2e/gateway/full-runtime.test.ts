import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

/**
 * The gateway inside the whole runtime (`npm start` wiring): the auth, rate-limit and cache modules bound to the query hooks, the
 * catalog deployed to the embedded engine at start. Checks that the one execute path enforces roles and claim
 * binding and that both edges report refusals in their own formats.
 */
describe('gateway in the full runtime (security hooks bound)', () => {
  let instance: KqlgateInstance;
  let signer: DevSigningKeyStore;

  beforeAll(async () => {
    instance = await startKqlgateInstance({ RATE_LIMIT_POINTS: '0' });
    signer = new DevSigningKeyStore(instance.dataDir);
  });

  afterAll(async () => {
    await instance?.stop();
  });

  const bearer = async (
    roles: string[],
    claims: Record<string, unknown> = { tid: 'contoso' },
  ): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await signer.sign({ subject: 'e2e', roles, claims })}`,
  });

  it('should run a function for a caller with the role and the tenant claim', async () => {
    const response = await fetch(`${instance.url}/api/v1/functions/PaymentFailureRate?lookback=1h`, {
      headers: await bearer(['operations']),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      data: [],
      meta: { function: 'PaymentFailureRate', rowCount: 0 },
    });

    const graphql = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { ...(await bearer(['operations'])), 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ PaymentFailureRate(lookback: "1h") { Period Method FailureRate } }' }),
    });
    expect(await graphql.json()).toMatchObject({ data: { PaymentFailureRate: [] } });
  });

  it('should refuse callers without credentials, without the role, or passing the bound parameter', async () => {
    const anonymous = await fetch(`${instance.url}/api/v1/functions/PaymentFailureRate`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      status: 401,
      code: 'AUTH_UNAUTHENTICATED',
      function: 'PaymentFailureRate',
    });

    const wrongRole = await fetch(`${instance.url}/api/v1/functions/PaymentFailureRate`, {
      headers: await bearer(['marketing']),
    });
    expect(wrongRole.status).toBe(403);
    expect(await wrongRole.json()).toMatchObject({ code: 'AUTH_FORBIDDEN' });

    const otherTenant = await fetch(`${instance.url}/api/v1/functions/PaymentFailureRate?tenantId=fabrikam`, {
      headers: await bearer(['operations']),
    });
    expect(otherTenant.status).toBe(400);
    expect(await otherTenant.json()).toMatchObject({
      code: 'AUTH_BOUND_PARAMETER_SUPPLIED',
      parameter: 'tenantId',
    });

    const noTenant = await fetch(`${instance.url}/api/v1/functions/PaymentFailureRate`, {
      headers: await bearer(['operations'], {}),
    });
    expect(noTenant.status).toBe(403);
    expect(await noTenant.json()).toMatchObject({ code: 'AUTH_BOUND_CLAIM_MISSING', claim: 'tid' });

    const graphql = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { ...(await bearer(['marketing'])), 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ PaymentFailureRate { Method } }' }),
    });
    const body = (await graphql.json()) as {
      errors: { message: string; extensions: Record<string, unknown> }[];
    };
    expect(body.errors[0]).toMatchObject({
      message:
        'function PaymentFailureRate requires one of: role operations, role fraud-analyst, role analyst',
      extensions: { code: 'AUTH_FORBIDDEN', status: 403 },
    });
  });
});
