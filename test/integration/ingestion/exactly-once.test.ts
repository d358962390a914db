/**
 * 10,000 events through the real SDK sender → embedded broker → ingestion (a child process, SIGKILLed
 * mid-stream and restarted) → embedded engine, then two full producer resends with the same MessageIds
 * (broker duplicate detection off, so the consumer's own dedup is what is tested): every event exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { ConsumerProcess } from './consumer-process.js';
import { IngestionStack, event, waitUntil } from './ingestion-stack.js';

const TOTAL = 10_000;

describe(IngestionPipeline.name, () => {
  const stack = new IngestionStack({ lockDuration: 'PT10S', duplicateDetection: false });
  const consumers: ConsumerProcess[] = [];

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    for (const c of consumers) {
      c.process.kill('SIGKILL');
    }
    await stack.stop();
  });

  async function startConsumer(): Promise<ConsumerProcess> {
    const consumer = await ConsumerProcess.start(stack.settings());
    consumers.push(consumer);
    return consumer;
  }

  function progress(step: string): void {
    process.stderr.write(`[exactly-once] ${step} ${JSON.stringify(consumers.at(-1)?.stats ?? {})}\n`);
  }

  async function settledEverything(): Promise<void> {
    await waitUntil('the subscription is empty', () => stack.subscriptionEmpty(), 115_000);
  }

  it('should land 10,000 events exactly once across SIGKILL, restart and repeated producer resends', async () => {
    const events = Array.from({ length: TOTAL }, (_, i) => event(i));
    let consumer = await startConsumer();
    await stack.send(events);

    // Kill once rows are landing but before the stream is through: ingested-but-unsettled batches get redelivered.
    await waitUntil('part of the stream is ingested', () =>
      Promise.resolve((consumer.stats?.ingested ?? 0) >= 2_000),
    );
    progress('killing the consumer mid-stream');
    await consumer.kill();
    const landedBeforeRestart = await stack.counts();
    expect(landedBeforeRestart.rows).toBeLessThan(TOTAL);

    consumer = await startConsumer();
    await waitUntil('all events are in the table', async () => (await stack.counts()).distinct === TOTAL);
    await settledEverything();
    progress('first pass settled');
    expect(await stack.counts()).toEqual({ rows: TOTAL, distinct: TOTAL });

    for (let round = 0; round < 2; round++) {
      // A producer that crashed before seeing its acknowledgements publishes everything again, same MessageIds;
      // the consumer is killed again in the middle of it.
      await stack.send(events);
      progress(`resend ${round + 1} published`);
      await waitUntil('the resend is being consumed', () =>
        Promise.resolve(
          (consumer.stats?.duplicates ?? 0) >= 1_000 || (consumer.stats?.received ?? 0) >= TOTAL,
        ),
      );
      await consumer.kill();
      consumer = await startConsumer();
      await settledEverything();
      progress(`resend ${round + 1} settled`);
      expect(await stack.counts()).toEqual({ rows: TOTAL, distinct: TOTAL });
    }
    expect(await stack.drainDeadLetters()).toEqual([]);
    // 30,000 sends, three consumer processes per round and lock expiries after each SIGKILL on 2 shared cores.
  }, 600_000);
});
