import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReadinessRegistry } from '../../../src/common/health/readiness-registry.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { createApp } from '../../../src/create-app.js';

describe('gateway foundation over HTTP', () => {
  let app: NestFastifyApplication;
  let base: string;

  beforeAll(async () => {
    app = await createApp(loadConfig({ PORT: '0', LOG_LEVEL: 'silent' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await app.close();
  });

  it('should answer liveness with 200', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  it('should report each readiness dependency by name and answer 503 when one is down', async () => {
    const registry = app.get(ReadinessRegistry);
    registry.register('kusto', () =>
      Promise.resolve({ up: true, details: { url: 'http://127.0.0.1:8082' } }),
    );
    registry.register('servicebus', () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5672')));
    try {
      const response = await fetch(`${base}/health/ready`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { details: Record<string, { status: string }> };
      expect(body.details.kusto).toMatchObject({ status: 'up', url: 'http://127.0.0.1:8082' });
      expect(body.details.servicebus).toMatchObject({
        status: 'down',
        error: 'connect ECONNREFUSED 127.0.0.1:5672',
      });
    } finally {
      registry.unregister('kusto');
      registry.unregister('servicebus');
    }
    const healthy = await fetch(`${base}/health/ready`);
    expect(healthy.status).toBe(200);
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
