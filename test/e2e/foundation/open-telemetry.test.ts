import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { OtlpReceiver, type ReceivedSpan } from '../../utils/otlp-receiver.js';
import { ingestOrderPlaced, orderPlacedMessage } from '../../utils/order-placed-message.js';

/** The variables an operator sets; the SDK reads them from the process environment, kqlgate from its config. */
const OTEL_ENV = {
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_SERVICE_NAME: 'kqlgate-e2e',
  OTEL_METRIC_EXPORT_INTERVAL: '1000',
  // Spans leave the batch processor within 200 ms instead of 5 s.
  OTEL_BSP_SCHEDULE_DELAY: '200',
};

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

function childOf(spans: ReceivedSpan[], parent: ReceivedSpan, name: string): ReceivedSpan | undefined {
  return spans.find((span) => span.name === name && span.parentSpanId === parent.spanId);
}

/**
 * kqlgate with OTEL_EXPORTER_OTLP_ENDPOINT set, exporting to an OTLP/HTTP receiver in this process: the span tree
 * of one REST call (continuing the caller's trace) and of one message sent with the real Service Bus SDK (linked to
 * its producer's trace), and the prom-client metrics arriving through OTel.
 */
describe('OpenTelemetry export', () => {
  const receiver = new OtlpReceiver();
  let instance: KqlgateInstance;
  let token: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    await receiver.start();
    const env = { ...OTEL_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    for (const [key, value] of Object.entries(env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    instance = await startKqlgateInstance({ ...env, RATE_LIMIT_POINTS: '0' });
    token = await new DevSigningKeyStore(instance.dataDir).sign({
      subject: 'otel-e2e',
      roles: ['analyst'],
      claims: { tid: 'contoso' },
    });
  });

  afterAll(async () => {
    await instance?.stop();
    await receiver.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = value;
      }
    }
  });

  it('should trace a REST call under the caller’s trace: authentication, then the query with its cache and Kusto spans', async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    expect((await fetch(`${instance.url}/health/live`)).status).toBe(200);
    const response = await fetch(`${instance.url}/api/v1/functions/OrderThroughput?lookback=137m`, {
      headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` },
    });
    expect(response.status).toBe(200);

    const server = await receiver.waitFor('server span of the call', (spans) =>
      spans.find((span) => span.traceId === traceId && span.parentSpanId === callerSpanId),
    );
    expect(server).toMatchObject({
      name: 'GET /api/v1/functions/:name',
      attributes: { 'http.route': '/api/v1/functions/:name', 'http.response.status_code': 200 },
    });
    const tree = await receiver.waitFor('the query spans', (spans) => {
      const mine = spans.filter((span) => span.traceId === traceId);
      const authenticate = childOf(mine, server, 'kqlgate.authenticate');
      const execute = childOf(mine, server, 'kqlgate.query.execute');
      const authorize = execute && childOf(mine, execute, 'kqlgate.authorize');
      const cache = execute && childOf(mine, execute, 'kqlgate.cache');
      const kusto = cache && childOf(mine, cache, 'kqlgate.kusto.query');
      return authenticate && authorize && kusto ? { authenticate, execute, cache, kusto, mine } : undefined;
    });
    expect(tree.authenticate.attributes).toMatchObject({
      'kqlgate.auth.method': 'jwt',
      'kqlgate.status': 'ok',
    });
    expect(tree.execute.attributes).toMatchObject({
      'kqlgate.function': 'OrderThroughput',
      'kqlgate.cache': 'miss',
      'kqlgate.rows': 0,
      'kqlgate.status': 'ok',
    });
    expect(tree.cache.attributes).toMatchObject({ 'kqlgate.cache': 'miss' });
    expect(tree.kusto.attributes).toMatchObject({ 'kqlgate.function': 'OrderThroughput', 'kqlgate.rows': 0 });
    // No parameter value, no credential, in any span of the call.
    const exported = JSON.stringify(tree.mine);
    expect(exported).not.toContain('137m');
    expect(exported).not.toContain(token.split('.')[2]);
    // Probes are not traced (the call's spans are in, so the probe's would be too by now).
    expect(receiver.spans.filter((span) => span.attributes['http.route'] === '/health/live')).toEqual([]);
  });

  it('should trace an ingested message linked to its producer’s trace, and its batch with ingest and settle', async () => {
    const producerTraceId = hex(16);
    const producerSpanId = hex(8);
    const messageId = randomUUID();
    await ingestOrderPlaced(
      instance,
      orderPlacedMessage({
        messageId,
        orderId: 'o-otel-1',
        totalAmount: 12.5,
        properties: { 'Diagnostic-Id': `00-${producerTraceId}-${producerSpanId}-01` },
      }),
    );

    const message = await receiver.waitFor('span of the message', (spans) =>
      spans.find(
        (span) =>
          span.name === 'kqlgate.ingestion.message' && span.attributes['messaging.message.id'] === messageId,
      ),
    );
    expect(message.links).toContainEqual(
      expect.objectContaining({ traceId: producerTraceId, spanId: producerSpanId }),
    );
    expect(message.attributes).toMatchObject({
      'kqlgate.table': 'RawOrderEvents',
      'kqlgate.settlement': 'complete',
    });
    const batch = await receiver.waitFor('batch span linked to the message', (spans) =>
      spans.find(
        (span) =>
          span.name === 'kqlgate.ingestion.batch' &&
          span.links.some((link) => link.spanId === message.spanId && link.traceId === message.traceId),
      ),
    );
    expect(batch.parentSpanId).toBeUndefined();
    expect(batch.attributes).toMatchObject({ 'kqlgate.table': 'RawOrderEvents' });
    const { ingest, settle } = await receiver.waitFor('ingest and settle spans of the batch', (spans) => {
      const ingestSpan = childOf(spans, batch, 'kqlgate.ingestion.ingest');
      const settleSpan = childOf(spans, batch, 'kqlgate.ingestion.settle');
      return ingestSpan && settleSpan ? { ingest: ingestSpan, settle: settleSpan } : undefined;
    });
    expect(ingest.attributes).toMatchObject({ 'kqlgate.rows': 1, 'kqlgate.ingested': 1 });
    expect(settle.attributes).toMatchObject({ 'kqlgate.completed': 1, 'kqlgate.dead_lettered': 0 });
    // The Azure SDK's own spans, through the instrumenter kqlgate registers: its receive span around the message's,
    // and its settlement under kqlgate's settle.
    const sdk = await receiver.waitFor('the Service Bus SDK spans', (spans) => {
      const process = spans.find((span) => span.spanId === message.parentSpanId);
      const complete = childOf(spans, settle, 'ServicebusReceiver.complete');
      return process && complete ? { process, complete } : undefined;
    });
    expect(sdk.process.name).toBe('StreamReceiver.process');
    expect(sdk.process.links).toContainEqual(expect.objectContaining({ traceId: producerTraceId }));
  });

  it('should trace a GraphQL call: authentication and each field’s query under the request span', async () => {
    const traceId = hex(16);
    const response = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${hex(8)}-01`,
      },
      body: JSON.stringify({ query: '{ OrderThroughput(lookback: "1h") { Period Placed } }' }),
    });
    expect(await response.json()).toMatchObject({ data: { OrderThroughput: expect.any(Array) } });

    const tree = await receiver.waitFor('the GraphQL call spans', (spans) => {
      const mine = spans.filter((span) => span.traceId === traceId);
      const server = mine.find((span) => span.name === 'POST /graphql');
      const authenticate = server && childOf(mine, server, 'kqlgate.authenticate');
      const execute = server && mine.find((span) => span.name === 'kqlgate.query.execute');
      return authenticate && execute ? { execute } : undefined;
    });
    expect(tree.execute.attributes).toMatchObject({
      'kqlgate.function': 'OrderThroughput',
      'kqlgate.status': 'ok',
    });
  });

  it('should export the prom-client metrics through OpenTelemetry under their /metrics names', async () => {
    const deadline = Date.now() + 30_000;
    const names = () => new Set(receiver.metrics.map((metric) => metric.name));
    while (!names().has('kqlgate_query_duration_seconds') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect([...names()]).toEqual(
      expect.arrayContaining([
        'kqlgate_query_duration_seconds',
        'kqlgate_http_request_duration_seconds',
        'kqlgate_ingestion_messages_ingested_total',
      ]),
    );
  });
});
