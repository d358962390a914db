/**
 * Completes and dead-letters of adjacent deliveries issued in the same tick, as the pipeline does when a batch
 * settles its ingested messages and its rejected ones together. Each message must end with its own outcome and
 * its own dead-letter reason: the AMQP client under the SDK merges adjacent dispositions of one tick into one
 * frame (SettlementGate). Real SDK, real embedded broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SubscriptionReceiver, type SourceMessage } from '../../../src/ingestion/subscription-receiver.js';
import { IngestionStack, SUBSCRIPTION, TOPIC, event, waitUntil } from './ingestion-stack.js';

const COUNT = 40;

describe(SubscriptionReceiver.name, () => {
  const stack = new IngestionStack();

  beforeAll(async () => {
    await stack.start();
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('should settle adjacent deliveries with their own outcomes when they settle in the same tick', async () => {
    await stack.send(Array.from({ length: COUNT }, (_, i) => event(i, { messageId: `m-${i}` })));
    const receiver = new SubscriptionReceiver({
      connectionString: stack.brokerConnectionString,
      topic: TOPIC,
      subscription: SUBSCRIPTION,
      maxConcurrentCalls: COUNT,
      maxAutoLockRenewalDurationMs: 60_000,
    });
    const received: SourceMessage[] = [];
    receiver.subscribe(
      (message) => {
        received.push(message);
        return Promise.resolve();
      },
      () => undefined,
      () => undefined,
    );
    await waitUntil('every message is delivered', () => Promise.resolve(received.length === COUNT), 30_000);

    // Every third message is dead-lettered, each with a reason of its own; the others are completed.
    const deadLettered = (id: string) => Number(id.slice(2)) % 3 === 1;
    await Promise.all(
      received.map((m) =>
        deadLettered(m.messageId)
          ? receiver.deadLetter(m, `Reason-${m.messageId}`, `description of ${m.messageId}`)
          : receiver.complete(m),
      ),
    );
    await receiver.close();

    expect(await stack.subscriptionEmpty()).toBe(true);
    const dead = await stack.drainDeadLetters();
    const expected = received
      .map((m) => m.messageId)
      .filter(deadLettered)
      .map((id) => ({ messageId: id, reason: `Reason-${id}`, description: `description of ${id}` }));
    expect(dead.sort((a, b) => a.messageId.localeCompare(b.messageId))).toEqual(
      expected.sort((a, b) => a.messageId.localeCompare(b.messageId)),
    );
  });
});
