import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip } from '../../utils/chromium-browser.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

const { skip, title } = chromiumSkip('CORS in a real browser');

/**
 * The page a front-end app would be: its script calls the gateway with fetch and reports what the browser let it
 * see. A refused call is a TypeError from fetch — the browser withholds the answer, whatever the gateway said.
 */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>dashboard</title><script>
window.callGateway = async (url, init) => {
  try {
    const response = await fetch(url, init);
    const headers = {};
    for (const name of ['etag', 'ratelimit-remaining', 'ratelimit-policy', 'x-request-id', 'x-kqlgate-row-count', 'www-authenticate']) {
      headers[name] = response.headers.get(name);
    }
    return { status: response.status, headers, body: await response.text() };
  } catch (error) {
    return { error: error.name + ': ' + error.message };
  }
};
</script></head><body></body></html>`;

/** The fetch options the page passes on (the browser's RequestInit, which Node's lacks `cache` of). */
interface PageRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  cache?: 'no-store';
}

type CallResult =
  | { status: number; headers: Record<string, string | null>; body: string; error?: undefined }
  | { error: string };

/** A local HTTP server on a free 127.0.0.1 port serving PAGE: a different origin from the gateway's. */
async function servePage(): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The CORS preflights the browser sent, as DevTools sees them (they never reach the page's script). */
function recordPreflights(
  cdp: CDPSession,
): { url: string; status: number; headers: Record<string, string> }[] {
  const preflights: { url: string; status: number; headers: Record<string, string> }[] = [];
  cdp.on('Network.responseReceived', (event) => {
    if (event.type === 'Preflight') {
      const headers = Object.fromEntries(
        Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), value]),
      );
      preflights.push({ url: event.response.url, status: event.response.status, headers });
    }
  });
  return preflights;
}

describe.skipIf(skip)(title, () => {
  let issuer: TestJwtIssuer;
  let instance: KqlgateInstance;
  let browser: Browser;
  const pages: Server[] = [];
  let allowedOrigin: string;
  let refusedOrigin: string;
  let authorization: string;

  beforeAll(async () => {
    const allowed = await servePage();
    const refused = await servePage();
    pages.push(allowed.server, refused.server);
    allowedOrigin = allowed.origin;
    refusedOrigin = refused.origin;
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    instance = await startKqlgateInstance({
      CORS_ORIGINS: allowedOrigin,
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
    });
    authorization = `Bearer ${await issuer.token({ sub: 'u1', roles: ['analyst'], claims: { tid: 'A' } })}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await issuer?.stop();
    await Promise.all(pages.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  async function openPage(origin: string): Promise<{ page: Page; cdp: CDPSession }> {
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await page.goto(`${origin}/`);
    return { page, cdp };
  }

  const callFrom = (page: Page, path: string, init: PageRequest = {}): Promise<CallResult> =>
    page.evaluate(
      ([url, requestInit]) =>
        (
          globalThis as unknown as { callGateway(u: string, i: PageRequest): Promise<CallResult> }
        ).callGateway(url, requestInit),
      [`${instance.url}${path}`, init] as const,
    );

  it('should let the allowed origin read a simple GET and a refusal with its challenge', async () => {
    const { page } = await openPage(allowedOrigin);
    const openapi = await callFrom(page, '/api/v1/openapi.json');
    expect(openapi.error).toBeUndefined();
    expect(openapi).toMatchObject({ status: 200 });
    expect(JSON.parse((openapi as { body: string }).body)).toHaveProperty('openapi');
    // Anonymous, so still a simple request: the 401 and its WWW-Authenticate reach the script.
    const refusal = await callFrom(page, '/api/v1/functions/OrderThroughput');
    expect(refusal).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': expect.stringMatching(/^Bearer/) },
    });
    await page.close();
  });

  it('should let the allowed origin make preflighted calls with a token and JSON, and keep the preflight', async () => {
    const { page, cdp } = await openPage(allowedOrigin);
    const preflights = recordPreflights(cdp);
    const post = (): Promise<CallResult> =>
      callFrom(page, '/api/v1/functions/OrderThroughput', {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ lookback: '1h' }),
      });
    const first = await post();
    expect(first.error).toBeUndefined();
    expect(first).toMatchObject({
      status: 200,
      headers: {
        'ratelimit-remaining': expect.stringMatching(/^\d+$/),
        'ratelimit-policy': expect.stringMatching(/^\d+;w=\d+$/),
        'x-request-id': expect.any(String),
        'x-kqlgate-row-count': expect.stringMatching(/^\d+$/),
      },
    });
    expect(JSON.parse((first as { body: string }).body)).toHaveProperty('data');
    const second = await post();
    expect(second).toMatchObject({ status: 200 });
    // One preflight for both POSTs: the browser kept it for Access-Control-Max-Age seconds.
    expect(preflights).toEqual([
      {
        url: `${instance.url}/api/v1/functions/OrderThroughput`,
        status: 204,
        headers: expect.objectContaining({
          'access-control-allow-origin': allowedOrigin,
          'access-control-max-age': '600',
          'access-control-allow-methods': 'GET, HEAD, POST',
        }),
      },
    ]);
    await page.close();
  });

  it('should let the allowed origin revalidate with the ETag it can read', async () => {
    const { page } = await openPage(allowedOrigin);
    const path = '/api/v1/functions/OrderThroughput?lookback=1h';
    const first = await callFrom(page, path, { headers: { authorization }, cache: 'no-store' });
    expect(first).toMatchObject({ status: 200, headers: { etag: expect.stringMatching(/^W?\/?"/) } });
    const etag = (first as { headers: Record<string, string> }).headers.etag;
    const again = await callFrom(page, path, {
      headers: { authorization, 'if-none-match': etag },
      cache: 'no-store',
    });
    expect(again).toMatchObject({ status: 304 });
    await page.close();
  });

  it('should let the allowed origin query GraphQL', async () => {
    const { page } = await openPage(allowedOrigin);
    const result = await callFrom(page, '/graphql', {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(result).toMatchObject({ status: 200 });
    expect(JSON.parse((result as { body: string }).body)).toEqual({ data: { __typename: 'Query' } });
    await page.close();
  });

  it('should make every call of a refused origin fail in the browser', async () => {
    const { page } = await openPage(refusedOrigin);
    const failures = [
      await callFrom(page, '/api/v1/openapi.json'),
      await callFrom(page, '/api/v1/functions/OrderThroughput', {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: '{}',
      }),
      await callFrom(page, '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
    ];
    expect(failures).toEqual([
      { error: 'TypeError: Failed to fetch' },
      { error: 'TypeError: Failed to fetch' },
      { error: 'TypeError: Failed to fetch' },
    ]);
    await page.close();
  });
});
