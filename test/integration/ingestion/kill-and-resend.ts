/**
 * The exactly-once run of the queued and managed tests: every event published with the real SDK sender, the
 * consumer process SIGKILLed mid-run and a new one started, then the producer resending everything with the same
 * MessageIds (broker duplicate detection off, so the consumer's own dedup is what is tested). The table must end
 * with each event exactly once and nothing dead-lettered.
 */
import type { ServiceBusMessage } from '@azure/service-bus';
import { expect } from 'vitest';
import type { IngestionSettings } from '../../../src/ingestion/ingestion-factory.js';
import { ConsumerProcess } from './consumer-process.js';
import { waitUntil, type IngestionStack } from './ingestion-stack.js';

export interface KillAndResendHooks {
  /** When to SIGKILL the first consumer. */
  killWhen: (consumer: ConsumerProcess) => boolean;
  /** Runs once the first consumer is dead, before the next one starts. */
  afterKill?: () => Promise<void>;
}

/** Returns the (killed) consumers, whose last reports say which ingestion paths their batches took. */
export async function ingestAcrossKillAndResend(
  stack: IngestionStack,
  settings: IngestionSettings,
  events: ServiceBusMessage[],
  hooks: KillAndResendHooks,
): Promise<ConsumerProcess[]> {
  const total = events.length;
  const consumers: ConsumerProcess[] = [];
  try {
    await stack.send(events);
    const first = await ConsumerProcess.start(settings);
    consumers.push(first);
    const waitFor = (
      what: string,
      condition: () => Promise<boolean>,
      consumer: ConsumerProcess,
      timeoutMs?: number,
    ) =>
      waitUntil(what, condition, timeoutMs).catch(async (error: Error) => {
        const state = { consumer: consumer.report(), table: await stack.counts() };
        throw new Error(`${error.message}; ${JSON.stringify(state)}`);
      });
    await waitFor('the first consumer is mid-run', () => Promise.resolve(hooks.killWhen(first)), first);
    await first.kill();
    expect((await stack.counts()).rows).toBeLessThan(total);
    await hooks.afterKill?.();

    const second = await ConsumerProcess.start(settings);
    consumers.push(second);
    await waitFor(
      'every event is in the table',
      async () => (await stack.counts()).distinct === total,
      second,
      // The redelivered messages go through queued ingestion again, on a loaded 2-core machine.
      240_000,
    );
    await waitFor('the subscription is empty', () => stack.subscriptionEmpty(), second);
    expect(await stack.counts()).toEqual({ rows: total, distinct: total });

    // A producer that crashed before seeing its acknowledgements publishes everything again, same MessageIds.
    const receivedBefore = second.stats?.received ?? 0;
    await stack.send(events);
    await waitUntil('the resend is consumed and settled', () =>
      Promise.resolve(
        (second.stats?.received ?? 0) >= receivedBefore + total && second.stats?.inFlight === 0,
      ),
    );
    await waitUntil('the subscription is empty', () => stack.subscriptionEmpty());
    expect(await stack.counts()).toEqual({ rows: total, distinct: total });
    expect(await stack.drainDeadLetters()).toEqual([]);
    return consumers;
  } finally {
    for (const consumer of consumers) {
      consumer.process.kill('SIGKILL');
    }
  }
}
