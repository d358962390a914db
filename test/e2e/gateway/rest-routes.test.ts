import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  function?: string;
  parameters?: { parameter: string; message: string }[];
}

/**
 * The REST function routes are plain Fastify routes (FunctionRoutes), not a Nest controller: these cases pin
 * down the edge behaviour the Nest exception filter used to give them — problem JSON for every refusal, one
 * parameter source per method, HEAD alongside GET.
 */
describe('REST function routes', () => {
  let instance: KqlgateInstance;
  let analyst: string;

  beforeAll(async () => {
    instance = await startKqlgateInstance();
    // A dev token (the embedded engine's auth mode) of an analyst of tenant contoso.
    const token = await new DevSigningKeyStore(instance.dataDir).sign({
      subject: 'analyst-1',
      roles: ['analyst'],
      claims: { tid: 'contoso' },
    });
    analyst = `Bearer ${token}`;
  });

  afterAll(async () => {
    await instance?.stop();
  });

  const call = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${instance.url}${path}`, {
      ...init,
      headers: { authorization: analyst, ...(init.headers as Record<string, string>) },
    });

  async function problemOf(response: Response): Promise<Problem> {
    expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    return (await response.json()) as Problem;
  }

  it('should answer an unknown function with a 404 problem that lists no names but suggests a close one', async () => {
    const response = await call('/api/v1/functions/NoSuchFunction');
    expect(response.status).toBe(404);
    const problem = await problemOf(response);
    expect(problem).toMatchObject({
      status: 404,
      code: 'QUERY_FUNCTION_NOT_FOUND',
      function: 'NoSuchFunction',
      type: 'https://kqlgate.dev/problems/query-function-not-found',
      title:
        'no function named NoSuchFunction; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
    });
    const typo = await problemOf(await call('/api/v1/functions/PaymentFailureRat'));
    expect(typo.title).toBe(
      'no function named PaymentFailureRat; did you mean PaymentFailureRate?; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
    );
  });

  it('should refuse a query-string parameter given twice, naming it', async () => {
    const response = await call('/api/v1/functions/PaymentFailureRate?binSize=1d&binSize=1h');
    expect(response.status).toBe(400);
    expect((await problemOf(response)).parameters).toEqual([
      { parameter: 'binSize', message: 'was given more than once' },
    ]);
  });

  it('should take POST parameters from a JSON object body and refuse any other body', async () => {
    const ok = await call('/api/v1/functions/PaymentFailureRate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ binSize: '1d' }),
    });
    expect(ok.status).toBe(200);
    expect((await ok.json()) as { meta: { function: string } }).toMatchObject({
      meta: { function: 'PaymentFailureRate' },
    });

    const array = await call('/api/v1/functions/PaymentFailureRate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ binSize: '1d' }]),
    });
    expect(array.status).toBe(400);
    expect((await problemOf(array)).title).toBe(
      'the body of POST /api/v1/functions/PaymentFailureRate must be a JSON object of parameters',
    );
  });

  it('should answer HEAD like GET without a body', async () => {
    const head = await call('/api/v1/functions/PaymentFailureRate?binSize=1d', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await head.text()).toBe('');
  });
});
