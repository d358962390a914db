/**
 * Poison messages (bad JSON, unroutable, rejected by the engine's mapping lookup, oversized) go to the DLQ with
 * the right reason while the good ones keep flowing; received = ingested + dead-lettered.
 */
import type { ServiceBusMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterReason } from '../../../src/ingestion/dead-letter-reason.js';
import { createIngestionPipeline } from '../../../src/ingestion/ingestion-factory.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { IngestionStack, TABLE, event, waitUntil } from './ingestion-stack.js';

const GOOD = 1_000;
const EACH_POISON = 5;
const MAX_BYTES = 64 * 1024;

describe(IngestionPipeline.name, () => {
  const stack = new IngestionStack();

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('should dead-letter each kind of poison message with its reason and ingest all the good ones', async () => {
    const pipeline = createIngestionPipeline(
      stack.settings({ batch: { maxEvents: 200, maxBytes: MAX_BYTES, maxAgeMs: 100 } }),
    );
    await pipeline.start();
    const poison: ServiceBusMessage[] = [];
    for (let i = 0; i < EACH_POISON; i++) {
      poison.push(
        {
          messageId: `bad-json-${i}`,
          body: Buffer.from(`{"seq": ${i}, "kind": "good", broken`),
          applicationProperties: { kind: 'good' },
        },
        { messageId: `unroutable-${i}`, body: { seq: i } },
        {
          messageId: `bad-mapping-${i}`,
          body: { seq: i },
          applicationProperties: { Table: TABLE, IngestionMappingReference: 'no_such_mapping' },
        },
        event(100_000 + i, {
          messageId: `oversized-${i}`,
          body: { seq: i, kind: 'good', payload: 'x'.repeat(MAX_BYTES) },
        }),
      );
    }
    const good = Array.from({ length: GOOD }, (_, i) => event(i));
    // Interleave so poison messages share batches and receive windows with good ones.
    const all = good
      .flatMap((m, i) => (i % 50 === 0 && poison.length > 0 ? [poison.shift()!, m] : [m]))
      .concat(poison);
    await stack.send(all);

    await waitUntil('every message is settled', () => stack.subscriptionEmpty());
    await pipeline.stop();

    expect(await stack.counts()).toEqual({ rows: GOOD, distinct: GOOD });
    const dead = await stack.drainDeadLetters();
    const byReason = (reason: string) => dead.filter((d) => d.reason === reason);
    expect(dead).toHaveLength(4 * EACH_POISON);
    expect(
      byReason(DeadLetterReason.InvalidJson)
        .map((d) => d.messageId)
        .sort(),
    ).toEqual(ids('bad-json'));
    expect(
      byReason(DeadLetterReason.Unroutable)
        .map((d) => d.messageId)
        .sort(),
    ).toEqual(ids('unroutable'));
    expect(
      byReason(DeadLetterReason.MappingFailure)
        .map((d) => d.messageId)
        .sort(),
    ).toEqual(ids('bad-mapping'));
    expect(
      byReason(DeadLetterReason.MessageTooLarge)
        .map((d) => d.messageId)
        .sort(),
    ).toEqual(ids('oversized'));

    const describeOf = (id: string) => dead.find((d) => d.messageId === id)!.description;
    expect(describeOf('unroutable-0')).toBe(
      "missing application property 'Table' and no 'kind' (application property or body field) to route by",
    );
    expect(describeOf('bad-json-0')).toMatch(/^body is not JSON: /);
    expect(describeOf('bad-mapping-0')).toBe(
      "engine rejected the rows for table IngestEvents (HTTP 400): Json ingestion mapping 'no_such_mapping' was not found in table 'IngestEvents' of database 'analytics'.",
    );
    // The encoded row: the body plus messageId and _enqueuedTime (an ISO timestamp, always 24 characters).
    const oversizedRow = {
      seq: 0,
      kind: 'good',
      payload: 'x'.repeat(MAX_BYTES),
      messageId: 'oversized-0',
      _enqueuedTime: new Date(0).toISOString(),
    };
    expect(describeOf('oversized-0')).toBe(
      `encoded rows are ${JSON.stringify(oversizedRow).length + 1} bytes, above the ${MAX_BYTES}-byte limit of one ingest request (INGEST_BATCH_MAX_BYTES, at most 4 MB for streaming ingestion)`,
    );
    const stats = pipeline.stats();
    expect(stats.received).toBe(GOOD + 4 * EACH_POISON);
    expect(stats.ingested + stats.deadLettered).toBe(stats.received);
  });
});

function ids(prefix: string): string[] {
  return Array.from({ length: EACH_POISON }, (_, i) => `${prefix}-${i}`).sort();
}
