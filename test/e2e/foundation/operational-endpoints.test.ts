import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { freePort } from '../../utils/free-port.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { startRealGateway, type RealGateway } from '../security/real-gateway.js';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

/** A raw HTTP/1.1 exchange, for requests fetch() will not send (headers over Node's limit). */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      // The server closes once it has answered; a reset after the answer is fine.
      error.code === 'ECONNRESET' && received ? resolve(received) : reject(error),
    );
    socket.write(request);
  });
}

/**
 * The operational endpoints of the whole runtime (as `npm start` builds it): metrics on a port of their own behind
 * a token, with no caller ids as labels, and the answer to a request whose headers are too large.
 */
describe('operational endpoints of the whole runtime', () => {
  let instance: KqlgateInstance;
  let metricsUrl: string;
  let port: number;

  beforeAll(async () => {
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    instance = await startKqlgateInstance({
      METRICS_PORT: String(metricsPort),
      METRICS_TOKEN,
      RATE_LIMIT_POINTS: '1',
    });
    port = Number(new URL(instance.url).port);
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('should serve /metrics only on METRICS_PORT of 127.0.0.1, and only with the token', async () => {
    expect((await fetch(`${instance.url}/metrics`)).status).toBe(404);

    const anonymous = await fetch(metricsUrl);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="kqlgate-metrics"');
    expect(await anonymous.json()).toEqual({
      type: 'https://kqlgate.dev/problems/metrics-unauthorized',
      title: 'GET /metrics needs the header "Authorization: Bearer <METRICS_TOKEN>"',
      status: 401,
      code: 'METRICS_UNAUTHORIZED',
    });
    const wrong = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);

    const scrape = await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await scrape.text()).toMatch(/^kqlgate_http_request_duration_seconds_count\{/m);
  });

  it('should count refused calls by function, never by caller', async () => {
    const token = await new DevSigningKeyStore(instance.dataDir).sign({
      subject: 'caller-7c1e',
      roles: ['analyst'],
      claims: { tid: 'contoso' },
    });
    const call = () =>
      fetch(`${instance.url}/api/v1/functions/OrderThroughput`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);

    const text = await (
      await fetch(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).toMatch(
      /^kqlgate_ratelimit_throttled_total\{function="OrderThroughput",scope="principal"\} 1$/m,
    );
    expect(text).not.toMatch(/[{,]principal="/);
    expect(text).not.toContain('caller-7c1e');
  });

  it('should answer headers over the limit with 431 and a problem JSON that says what to change', async () => {
    const answer = await rawExchange(
      port,
      `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${'c'.repeat(20_000)}\r\n\r\n`,
    );
    const [head, body] = answer.split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 431 Request Header Fields Too Large',
      'Content-Type: application/problem+json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ]);
    expect(JSON.parse(body)).toEqual({
      type: 'https://kqlgate.dev/problems/http-headers-too-large',
      title:
        'the request line and headers must fit in 16384 bytes together; send fewer or shorter headers (e.g. a smaller cookie or one credential) or parameters in a POST body',
      status: 431,
      code: 'HTTP_HEADERS_TOO_LARGE',
    });
  });
});

describe('/metrics on the gateway port with METRICS_TOKEN', () => {
  let dir: string;
  let gateway: RealGateway;

  beforeAll(async () => {
    dir = await tempDir('metrics-token');
    gateway = await startRealGateway(dir, { METRICS_TOKEN });
  });
  afterAll(async () => {
    await gateway?.close();
    await removeDir(dir);
  });

  it('should refuse a scrape without the token and serve it with the token', async () => {
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    const scrape = await fetch(`${gateway.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toMatch(/^# TYPE kqlgate_cache_hit_ratio gauge$/m);
  });
});
