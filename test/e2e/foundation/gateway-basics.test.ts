import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadinessRegistry } from '../../../src/common/health/readiness-registry.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

async function waitForReady(url: string): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(url);
    if (response.status === 200 || Date.now() > deadline) {
      return response;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('gateway foundation over HTTP', () => {
  let instance: KqlgateInstance;
  let base: string;

  beforeAll(async () => {
    instance = await startKqlgateInstance();
    base = instance.url;
  });

  afterAll(async () => {
    await instance.stop();
  });

  it('should answer liveness with 200', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('should report each readiness dependency by name', async () => {
    const response = await waitForReady(`${base}/health/ready`);
    const body = (await response.json()) as { status: string; details: Record<string, { status: string }> };
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).length).toBeGreaterThan(0);
    for (const detail of Object.values(body.details)) {
      expect(detail.status).toBe('up');
    }
  });

  it('should answer 503 naming the dependency that is down', async () => {
    const registry = instance.app.get(ReadinessRegistry);
    registry.register('probe-down', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')));
    try {
      const response = await fetch(`${base}/health/ready`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { details: Record<string, { status: string }> };
      expect(body.details['probe-down']).toEqual({
        status: 'down',
        error: 'connect ECONNREFUSED 127.0.0.1:1',
      });
    } finally {
      registry.unregister('probe-down');
    }
  });

  it('should echo a caller request id and mint one otherwise', async () => {
    const given = await fetch(`${base}/health/live`, { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const minted = await fetch(`${base}/health/live`);
    expect(minted.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('should expose process metrics and the request duration histogram by route and status', async () => {
    await fetch(`${base}/health/live`);
    await fetch(`${base}/no-such-route`);
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('kqlgate_process_cpu_user_seconds_total');
    expect(text).toMatch(
      /kqlgate_http_request_duration_seconds_count\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
    expect(text).toMatch(
      /kqlgate_http_request_duration_seconds_count\{method="GET",route="unmatched",status_code="404"\} \d+/,
    );
  });
});
