import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/create-app.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

describe('gateway shutdown', () => {
  let instance: KqlgateInstance;

  beforeAll(async () => {
    instance = await startKqlgateInstance();
  });

  afterAll(async () => {
    await instance.stop();
  });

  it('should finish a request in flight when closing, and refuse new connections after', async () => {
    // A second gateway replica on the same engine and broker, with a deliberately slow route for this test.
    const app = await createApp(instance.config);
    let entered!: () => void;
    const requestEntered = new Promise<void>((resolve) => (entered = resolve));
    app
      .getHttpAdapter()
      .getInstance()
      .get('/slow', async () => {
        entered();
        await new Promise((r) => setTimeout(r, 500));
        return { finished: true };
      });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const inFlight = fetch(`${base}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await requestEntered;
    const closeStarted = Date.now();
    await app.close();
    // The busy keep-alive socket is released right after its response, not after the 72 s keep-alive timeout.
    expect(Date.now() - closeStarted).toBeLessThan(10_000);

    expect(await inFlight).toEqual({ status: 200, body: { finished: true } });
    await expect(fetch(`${base}/health/live`)).rejects.toThrow('fetch failed');
  });
});
