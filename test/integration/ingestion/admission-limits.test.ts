/**
 * Poison bodies that break the pipeline itself rather than the engine: JSON nested thousands of levels deep (which
 * makes JSON.stringify throw RangeError) and bodies over the size limit. 200 deep-JSON messages interleaved with
 * 1,000 good ones, all sent with the real Service Bus SDK: every good one lands, the poison ones are in the
 * dead-letter subqueue with a reason naming their depth or size and the limit, and no admission slot is left held
 * (in-flight back to 0, in the pipeline's stats and its Prometheus gauge).
 */
import type { ServiceBusMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterReason } from '../../../src/ingestion/dead-letter-reason.js';
import { createIngestionPipeline } from '../../../src/ingestion/ingestion-factory.js';
import { ingestionMetrics } from '../../../src/ingestion/ingestion-metrics.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { IngestionStack, event, waitUntil } from './ingestion-stack.js';

const GOOD = 1_000;
const DEEP = 200;
const OVERSIZED = 5;
const DEPTH = 5_000;
const MAX_BODY_BYTES = 64 * 1024;

/** A routable event whose payload nests `DEPTH` levels in all (the event object itself is level 1). */
function deepEvent(i: number): ServiceBusMessage {
  const payload = `${'{"x":'.repeat(DEPTH - 1)}1${'}'.repeat(DEPTH - 1)}`;
  return {
    messageId: `deep-${i}`,
    body: Buffer.from(`{"seq":${i},"kind":"good","payload":${payload}}`),
    applicationProperties: { kind: 'good' },
    contentType: 'application/json',
  };
}

describe(IngestionPipeline.name, () => {
  const stack = new IngestionStack();

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('should dead-letter deep and oversized bodies at admission, free every slot and ingest all good messages', async () => {
    const pipeline = createIngestionPipeline(
      stack.settings({ limits: { maxBodyBytes: MAX_BODY_BYTES, maxJsonDepth: 64 } }),
    );
    await pipeline.start();
    const oversizedBody = { seq: 0, kind: 'good', payload: 'x'.repeat(MAX_BODY_BYTES) };
    const poison: ServiceBusMessage[] = [
      ...Array.from({ length: DEEP }, (_, i) => deepEvent(i)),
      ...Array.from({ length: OVERSIZED }, (_, i) =>
        event(100_000 + i, { messageId: `oversized-${i}`, body: oversizedBody }),
      ),
      // A producer's `body: "hello"`: a JSON string, routable but not a row.
      event(200_000, { messageId: 'json-string', body: 'hello' }),
    ];
    const good = Array.from({ length: GOOD }, (_, i) => event(i));
    // One poison message after every fifth good one, so they share receive windows and batches.
    const all = good.flatMap((m, i) => (i % 5 === 4 && poison.length > 0 ? [m, poison.shift()!] : [m]));
    await stack.send([...all, ...poison]);

    await waitUntil('every message is settled', () => stack.subscriptionEmpty(), 90_000);
    await waitUntil('no message is held', () => Promise.resolve(pipeline.stats().inFlight === 0), 10_000);
    expect((await ingestionMetrics().inFlight.get()).values[0]?.value).toBe(0);
    expect(await pipeline.progressStatus()).toEqual({ up: true, details: { inFlight: 0 } });
    await pipeline.stop();

    expect(await stack.counts()).toEqual({ rows: GOOD, distinct: GOOD });
    const dead = await stack.drainDeadLetters();
    expect(dead).toHaveLength(DEEP + OVERSIZED + 1);
    const deep = dead.filter((d) => d.messageId.startsWith('deep-'));
    expect(deep).toHaveLength(DEEP);
    for (const d of deep) {
      expect(d).toMatchObject({
        reason: DeadLetterReason.NestingTooDeep,
        description: `body nests JSON ${DEPTH} levels deep, above the limit of 64 levels (INGEST_MAX_JSON_DEPTH)`,
      });
    }
    const oversizedBytes = Buffer.byteLength(JSON.stringify(oversizedBody));
    expect(dead.filter((d) => d.messageId.startsWith('oversized-'))).toEqual(
      Array.from({ length: OVERSIZED }, (_, i) => ({
        messageId: `oversized-${i}`,
        reason: DeadLetterReason.MessageTooLarge,
        description: `body is ${oversizedBytes} bytes, above the ${MAX_BODY_BYTES}-byte limit (INGEST_MAX_BODY_BYTES)`,
      })),
    );
    expect(dead.find((d) => d.messageId === 'json-string')).toEqual({
      messageId: 'json-string',
      reason: DeadLetterReason.InvalidJson,
      description: 'body is a JSON string ("hello"), but each row must be a JSON object',
    });
    const stats = pipeline.stats();
    expect(stats).toMatchObject({ inFlight: 0, ingested: GOOD, deadLettered: DEEP + OVERSIZED + 1 });
    expect(stats.received).toBe(GOOD + DEEP + OVERSIZED + 1);
  });
});
