/**
 * The engine is stopped, while events keep arriving, until readiness reports it down (past its 3 s threshold):
 * nothing is dead-lettered or lost, reception pauses (no message is admitted while the engine fails), and
 * everything lands once the engine is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestionPipeline } from '../../../src/ingestion/ingestion-factory.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { IngestionStack, event, waitUntil } from './ingestion-stack.js';

const TOTAL = 1_500;

describe(IngestionPipeline.name, () => {
  const stack = new IngestionStack();

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('should pause reception while the engine is down and lose or dead-letter nothing', async () => {
    const pipeline = createIngestionPipeline(stack.settings({ unreachableThresholdMs: 3_000 }));
    await pipeline.start();

    // A steady producer for the whole test: 50 events every 100 ms.
    const producing = (async () => {
      for (let next = 0; next < TOTAL; next += 50) {
        await stack.send(Array.from({ length: 50 }, (_, i) => event(next + i)));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await waitUntil('ingestion is flowing', () => Promise.resolve(pipeline.stats().ingested >= 200));
    await stack.stopKusto();
    await waitUntil('reception is paused', () => Promise.resolve(pipeline.stats().paused));
    const admittedAtPause = pipeline.stats().received;
    // The outage lasts until readiness reports the engine down: past unreachableThresholdMs of failing retries
    // (each back-off at most 2 s), with the producer still sending.
    await waitUntil('readiness reports the engine down', async () => !(await pipeline.sinkStatus()).up);

    const during = pipeline.stats();
    expect(during.paused).toBe(true);
    expect(during.received).toBe(admittedAtPause);
    expect(during.deadLettered).toBe(0);
    expect((await pipeline.sinkStatus()).up).toBe(false);

    await stack.restartKusto();
    await producing;
    await waitUntil('all events are in the table', async () => (await stack.counts()).distinct === TOTAL);
    await waitUntil('every message is settled', () => stack.subscriptionEmpty());
    await pipeline.stop();

    expect(await stack.counts()).toEqual({ rows: TOTAL, distinct: TOTAL });
    expect(await stack.drainDeadLetters()).toEqual([]);
    const after = pipeline.stats();
    expect(after).toMatchObject({ deadLettered: 0, paused: false });
    expect(after.pauses).toBeGreaterThanOrEqual(1);
    expect((await pipeline.sinkStatus()).up).toBe(true);
    // Generous: the outage plus back-off and the engine restart on a shared 2-core machine.
  }, 240_000);
});
