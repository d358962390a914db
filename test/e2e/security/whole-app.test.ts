import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { ingestOrderPlaced, orderPlacedMessage } from '../../utils/order-placed-message.js';

interface FunctionResponse {
  data: Record<string, unknown>[];
  meta: { cache: string };
}

/**
 * The whole runtime as `npm start` builds it (embedded engine and broker, kql/, gateway, ingestion, security) in
 * dev mode: tokens from the local dev key, an order event sent with the real Service Bus SDK, ingested by the real
 * pipeline through the update policy RawOrderEvents → Orders, and the cached result of a function reading Orders (OrderThroughput)
 * refreshed by the commit notification — well within its 15 s TTL — while a function on Payments stays cached.
 */
describe('ingestion-aware caching in the whole app (dev mode)', () => {
  let instance: KqlgateInstance;
  let tokens: Record<'contoso' | 'fabrikam', string>;

  beforeAll(async () => {
    instance = await startKqlgateInstance();
    const keys = new DevSigningKeyStore(instance.dataDir);
    tokens = {
      contoso: await keys.sign({
        subject: 'agent-1',
        roles: ['support', 'analyst'],
        claims: { tid: 'contoso' },
      }),
      fabrikam: await keys.sign({
        subject: 'agent-2',
        roles: ['support', 'analyst'],
        claims: { tid: 'fabrikam' },
      }),
    };
    for (let attempt = 0; attempt < 120; attempt += 1) {
      if ((await fetch(`${instance.url}/health/ready`)).status === 200) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  });
  afterAll(async () => {
    await instance?.stop();
  });

  const call = async (tenant: 'contoso' | 'fabrikam', path: string): Promise<FunctionResponse> => {
    const response = await fetch(`${instance.url}/api/v1/functions/${path}`, {
      headers: { authorization: `Bearer ${tokens[tenant]}` },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as FunctionResponse;
  };

  it('should serve the dev signing key at /.well-known/jwks.json', async () => {
    const jwks = (await (await fetch(`${instance.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string; alg: string; d?: string }[];
    };
    const header = JSON.parse(Buffer.from(tokens.contoso.split('.')[0], 'base64url').toString()) as {
      kid: string;
    };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: header.kid, alg: 'ES256' })]);
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('should serve newly ingested rows within the TTL and keep other tables cached', async () => {
    const orders = 'OrderThroughput?lookback=1h';
    const payments = 'PaymentFailureRate?lookback=1h';
    expect(await call('contoso', orders)).toMatchObject({ data: [], meta: { cache: 'miss' } });
    expect((await call('contoso', orders)).meta.cache).toBe('hit');
    await call('contoso', payments);
    expect((await call('contoso', payments)).meta.cache).toBe('hit');

    await ingestOrderPlaced(
      instance,
      orderPlacedMessage({ messageId: randomUUID(), orderId: 'o-security-1', totalAmount: 42.5 }),
    );

    const fresh = await call('contoso', orders);
    expect(fresh.meta.cache).toBe('miss');
    expect(fresh.data).toMatchObject([{ Placed: 1, Revenue: 42.5 }]);
    expect((await call('contoso', payments)).meta.cache).toBe('hit');
    expect((await call('fabrikam', orders)).data).toEqual([]);
  });
});
