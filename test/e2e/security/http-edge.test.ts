import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../src/modules/auth/api-key-hasher.js';
import { httpFrom, nextClientAddress, type HttpAnswer } from '../../utils/http-from.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

const NON_HTML_CSP = "default-src 'none'; frame-ancestors 'none'";

function expectCommonHeaders(response: HttpAnswer): void {
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['referrer-policy']).toBe('no-referrer');
}

/**
 * The HTTP edge of the whole app as `npm start` builds it: security headers on every response, and which client
 * address and protocol the gateway believes — the socket's, unless TRUST_PROXY names the proxy in front.
 */
describe('HTTP edge of the whole app, without a trusted proxy (default)', () => {
  let instance: KqlgateInstance;

  beforeAll(async () => {
    instance = await startKqlgateInstance({ AUTH_FAILURE_LIMIT: '2' });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}, from = nextClientAddress()) =>
    httpFrom(from, `${instance.url}${path}`, { headers });

  it('should send nosniff, no-referrer and a strict CSP on JSON, problem and 404 answers, and no HSTS over HTTP', async () => {
    for (const [path, status] of [
      ['/health/live', 200],
      ['/api/v1/openapi.json', 200],
      ['/api/v1/functions/OrderThroughput?lookback=1h&lookback=2h', 401],
      ['/no/such/route', 404],
    ] as const) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, status]);
      expectCommonHeaders(response);
      expect(response.headers['content-security-policy']).toBe(NON_HTML_CSP);
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('should serve the explorer with its own files only: no inline code, no other origin, assets that exist', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expectCommonHeaders(response);
    expect(response.headers['content-security-policy']).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join('; '),
    );
    // Under that policy an inline <script> or <style> would not run: there must be none.
    expect(response.text).not.toMatch(
      /<script(?![^>]*\ssrc=)[^>]*>|<style|\son[a-z]+=|\sstyle=|javascript:/i,
    );
    const referenced = [...response.text.matchAll(/<(?:script|link)\s[^>]*(?:src|href)="([^"]+)"/g)].map(
      (match) => match[1],
    );
    expect(referenced.length).toBeGreaterThanOrEqual(2);
    for (const path of referenced) {
      expect(path).toMatch(/^\/ui\/assets\/[\w.-]+\.(js|css)$/);
      const asset = await get(path);
      expect([path, asset.status, asset.headers['cache-control']]).toEqual([
        path,
        200,
        'public, max-age=31536000, immutable',
      ]);
    }
    expect((await get('/ui/assets/..%2Fpackage.json')).status).toBe(404);
  });

  it('should ignore X-Forwarded-Proto and X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const client = nextClientAddress();
    const https = await get('/health/live', { 'x-forwarded-proto': 'https' }, client);
    expect(https.headers['strict-transport-security']).toBeUndefined();
    // Spoofing a new X-Forwarded-For on each request does not escape the failed-authentication limit.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await get(
        '/api/v1/functions/OrderThroughput',
        { 'x-api-key': generateApiKey('nobody'), 'x-forwarded-for': `203.0.113.${i + 1}` },
        client,
      );
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 429]);
  });
});

describe('HTTP edge of the whole app behind a trusted proxy (TRUST_PROXY)', () => {
  let instance: KqlgateInstance;
  const proxy = '127.0.8.1';

  beforeAll(async () => {
    instance = await startKqlgateInstance({ AUTH_FAILURE_LIMIT: '2', TRUST_PROXY: `${proxy},10.0.0.0/8` });
  });
  afterAll(async () => {
    await instance?.stop();
  });

  const viaProxy = (path: string, headers: Record<string, string>) =>
    httpFrom(proxy, `${instance.url}${path}`, { headers });

  it('should send HSTS when the proxy says the request came over HTTPS, and only then', async () => {
    const https = await viaProxy('/health/live', { 'x-forwarded-proto': 'https' });
    expect(https.headers['strict-transport-security']).toBe('max-age=31536000');
    expectCommonHeaders(https);
    const http = await viaProxy('/health/live', { 'x-forwarded-proto': 'http' });
    expect(http.headers['strict-transport-security']).toBeUndefined();
    const notTheProxy = await httpFrom(nextClientAddress(), `${instance.url}/health/live`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(notTheProxy.headers['strict-transport-security']).toBeUndefined();
  });

  it('should count failed authentications per forwarded client address', async () => {
    const wrongKey = (client: string) =>
      viaProxy('/api/v1/functions/OrderThroughput', {
        'x-api-key': generateApiKey('nobody'),
        'x-forwarded-for': client,
      });
    const first = [];
    for (let i = 0; i < 3; i += 1) {
      first.push((await wrongKey('203.0.113.7')).status);
    }
    expect(first).toEqual([401, 401, 429]);
    const refused = await wrongKey('203.0.113.7');
    expect(refused.json()).toMatchObject({ code: 'AUTH_TOO_MANY_FAILURES' });
    expect((await wrongKey('203.0.113.8')).status).toBe(401);
  });
});
