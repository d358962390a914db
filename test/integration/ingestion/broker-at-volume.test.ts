/**
 * What ingestion needs from the broker at volume, with only the real @azure/service-bus SDK: a backlog reaches a
 * receiver that attaches later (consumer restart), and one receiver link settles thousands of messages (once
 * failed after ~2048 deliveries with rhea's "circular buffer overflow" in the broker).
 */
import { ServiceBusClient } from '@azure/service-bus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestionStack, SUBSCRIPTION, TOPIC, event, waitUntil } from './ingestion-stack.js';

async function completeAll(stack: IngestionStack, expected: number, timeoutMs: number): Promise<number> {
  const client = new ServiceBusClient(stack.brokerConnectionString);
  const receiver = client.createReceiver(TOPIC, SUBSCRIPTION);
  let completed = 0;
  const subscription = receiver.subscribe(
    {
      processMessage: async (m) => {
        await receiver.completeMessage(m);
        completed++;
      },
      processError: () => Promise.resolve(),
    },
    { autoCompleteMessages: false, maxConcurrentCalls: 100 },
  );
  await waitUntil(
    'all messages are completed',
    () => Promise.resolve(completed >= expected),
    timeoutMs,
  ).catch(() => undefined);
  await subscription.close();
  await receiver.close();
  await client.close();
  return completed;
}

describe('embedded broker at volume', () => {
  let stack: IngestionStack;
  beforeEach(async () => {
    stack = new IngestionStack();
    await stack.start();
  });
  afterEach(async () => {
    await stack.stop();
  });

  it('should deliver a backlog that was sent before the receiver attached', async () => {
    await stack.send(Array.from({ length: 200 }, (_, i) => event(i)));
    expect(await completeAll(stack, 200, 15_000)).toBe(200);
  });

  it('should deliver and complete more than 2048 messages on one receiver link', async () => {
    const receiving = completeAll(stack, 2_500, 60_000);
    await new Promise((r) => setTimeout(r, 1_000));
    await stack.send(Array.from({ length: 2_500 }, (_, i) => event(i)));
    expect(await receiving).toBe(2_500);
  });
});
