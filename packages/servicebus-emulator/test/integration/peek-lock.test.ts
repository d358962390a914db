import { isServiceBusError, type ServiceBusReceiver } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './servicebus-test-broker.js';

// The sender's own application properties: settling a message may add to them, never drop them.
const SENT = { region: 'eu', amount: 7 };

describe('ServiceBusBroker peek-lock settlement', () => {
  let broker: TestBroker;
  let receiver: ServiceBusReceiver;

  beforeAll(async () => {
    broker = await startTestBroker();
  });

  afterAll(async () => {
    await broker.stop();
  });

  async function send(queue: string, ...bodies: string[]): Promise<void> {
    const sender = broker.client.createSender(queue);
    await sender.sendMessages(bodies.map((body) => ({ body, messageId: body, applicationProperties: SENT })));
    await sender.close();
  }

  async function receiveOne(
    queue: string,
    sub?: 'deadLetter',
  ): Promise<import('@azure/service-bus').ServiceBusReceivedMessage> {
    receiver = broker.client.createReceiver(queue, sub ? { subQueueType: sub } : {});
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(message).toBeDefined();
    return message;
  }

  it('should remove a completed message', async () => {
    await send('orders', 'complete-me');
    const message = await receiveOne('orders');
    expect(message.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(message.lockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());
    await receiver.completeMessage(message);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  it('should redeliver an abandoned message with deliveryCount + 1 and modified properties', async () => {
    await send('orders', 'abandon-me');
    const first = await receiveOne('orders');
    expect(first.deliveryCount).toBe(0);
    await receiver.abandonMessage(first, { retriedBy: 'test' });
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(second.body).toBe('abandon-me');
    expect(second.deliveryCount).toBe(1);
    expect(second.applicationProperties).toEqual({ ...SENT, retriedBy: 'test' });
    await receiver.completeMessage(second);
    await receiver.close();
  });

  it('should dead-letter with MaxDeliveryCountExceeded after the max delivery count', async () => {
    await send('orders', 'poison');
    receiver = broker.client.createReceiver('orders');
    for (let attempt = 0; attempt < 3; attempt++) {
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
      expect(message.deliveryCount).toBe(attempt);
      await receiver.abandonMessage(message);
    }
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    await receiver.close();

    const dead = await receiveOne('orders', 'deadLetter');
    expect(dead.body).toBe('poison');
    expect(dead.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(dead.deadLetterSource).toBe('orders');
    await receiver.completeMessage(dead);
    await receiver.close();
  });

  it("should deliver the sender's message annotations beside the broker's own", async () => {
    const sender = broker.client.createSender('orders');
    await sender.sendMessages({
      body: 'annotated',
      bodyType: 'value',
      messageAnnotations: { 'x-opt-partition-key': 'p-1', 'x-custom-origin': 'shop' },
    });
    await sender.close();
    const message = await receiveOne('orders');
    expect(message.body).toBe('annotated');
    expect(message.partitionKey).toBe('p-1');
    expect(message._rawAmqpMessage.messageAnnotations).toMatchObject({
      'x-custom-origin': 'shop',
      'x-opt-partition-key': 'p-1',
    });
    expect(message._rawAmqpMessage.messageAnnotations).toHaveProperty('x-opt-sequence-number');
    await receiver.completeMessage(message);
    await receiver.close();
  });

  it('should dead-letter with the reason and description the SDK reads back', async () => {
    await send('orders', 'bad-data');
    const message = await receiveOne('orders');
    await receiver.deadLetterMessage(message, {
      deadLetterReason: 'SchemaMismatch',
      deadLetterErrorDescription: 'field x missing',
    });
    await receiver.close();
    const dead = await receiveOne('orders', 'deadLetter');
    expect(dead.body).toBe('bad-data');
    expect(dead.deadLetterReason).toBe('SchemaMismatch');
    expect(dead.deadLetterErrorDescription).toBe('field x missing');
    expect(dead.applicationProperties).toMatchObject(SENT);
    await receiver.completeMessage(dead);
    await receiver.close();
  });

  it('should return deferred messages by sequence number only', async () => {
    await send('orders', 'defer-me');
    const message = await receiveOne('orders');
    const seq = message.sequenceNumber;
    await receiver.deferMessage(message);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toHaveLength(0);
    const [peeked] = await receiver.peekMessages(1, { fromSequenceNumber: seq });
    expect(peeked.state).toBe('deferred');

    if (seq === undefined) {
      throw new Error('no sequence number');
    }
    const [deferred] = await receiver.receiveDeferredMessages(seq);
    expect(deferred.body).toBe('defer-me');
    expect(deferred.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    await receiver.completeMessage(deferred);
    await expect(receiver.receiveDeferredMessages(seq)).rejects.toMatchObject({ code: 'MessageNotFound' });
    await receiver.close();
  });

  it('should make a message available again when its lock expires', async () => {
    await send('short-lock', 'slow');
    receiver = broker.client.createReceiver('short-lock', { maxAutoLockRenewalDurationInMs: 0 });
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    expect(second.body).toBe('slow');
    expect(second.deliveryCount).toBe(1);
    const error: unknown = await receiver.completeMessage(first).catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('MessageLockLost');
    await receiver.completeMessage(second);
    await receiver.close();
  });

  it('should extend the lock on renewMessageLock', async () => {
    await send('short-lock', 'renew-me');
    receiver = broker.client.createReceiver('short-lock', { maxAutoLockRenewalDurationInMs: 0 });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    const before = message.lockedUntilUtc?.getTime() ?? 0;
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 600));
      const until = await receiver.renewMessageLock(message);
      expect(until.getTime()).toBeGreaterThan(before);
    }
    // 1.8 s after receipt with a 1 s lock duration: only the renewals kept the lock alive.
    await receiver.completeMessage(message);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  it('should deliver no more messages than the receiver asked for', async () => {
    await send('orders', 'c1', 'c2', 'c3', 'c4', 'c5');
    receiver = broker.client.createReceiver('orders');
    const two = await receiver.receiveMessages(2, { maxWaitTimeInMs: 3000 });
    expect(two.map((m) => m.body as unknown)).toEqual(['c1', 'c2']);
    const peeked = await receiver.peekMessages(10);
    expect(peeked.map((m) => m.body as unknown)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    // The first receiver holds only what it asked for: a competing receiver gets the rest right away.
    const competitor = broker.client.createReceiver('orders');
    const rest = await competitor.receiveMessages(10, { maxWaitTimeInMs: 500 });
    expect(rest.map((m) => m.body as unknown)).toEqual(['c3', 'c4', 'c5']);
    for (const message of two) {
      await receiver.completeMessage(message);
    }
    for (const message of rest) {
      await competitor.completeMessage(message);
    }
    await competitor.close();
    await receiver.close();
  });

  it('should keep serving a receiver that leaves one message unsettled while it settles many others', async () => {
    // The SDK's own session window (2048 unsettled deliveries) bounds this; stay below it.
    const sender = broker.client.createSender('orders');
    for (let i = 0; i < 15; i++) {
      await sender.sendMessages(
        Array.from({ length: 100 }, (_, j) => ({ body: 'bulk', messageId: `bulk-${i}-${j}` })),
      );
    }
    await sender.close();
    receiver = broker.client.createReceiver('orders');
    const held = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    let received = 0;
    while (received < 1499) {
      const batch = await receiver.receiveMessages(500, { maxWaitTimeInMs: 2000 });
      received += batch.length;
      await Promise.all(batch.map((m) => receiver.completeMessage(m)));
    }
    await receiver.completeMessage(held[0]);
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  it('should delete on receive in receiveAndDelete mode', async () => {
    await send('orders', 'rad');
    receiver = broker.client.createReceiver('orders', { receiveMode: 'receiveAndDelete' });
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(message.body).toBe('rad');
    expect(message.lockToken).toBeUndefined();
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  it('should deliver to subscribe() handlers one at a time', async () => {
    await send('orders', 's1', 's2', 's3');
    receiver = broker.client.createReceiver('orders');
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const subscription = receiver.subscribe({
        processMessage: async (message) => {
          seen.push(message.body as string);
          await receiver.completeMessage(message);
          if (seen.length === 3) {
            void subscription.close().then(resolve);
          }
        },
        processError: async (args) => {
          reject(args.error);
          return Promise.resolve();
        },
      });
    });
    expect(seen).toEqual(['s1', 's2', 's3']);
    await receiver.close();
  });
});
