import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './servicebus-test-broker.js';

async function drain(
  broker: TestBroker,
  topic: string,
  subscription: string,
): Promise<ServiceBusReceivedMessage[]> {
  const receiver = broker.client.createReceiver(topic, subscription, { receiveMode: 'receiveAndDelete' });
  const all: ServiceBusReceivedMessage[] = [];
  for (;;) {
    const batch = await receiver.receiveMessages(50, { maxWaitTimeInMs: 300 });
    if (batch.length === 0) {
      break;
    }
    all.push(...batch);
  }
  await receiver.close();
  return all;
}

describe('ServiceBusBroker topic routing', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker();
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('should give every subscription its own copy with its own sequence numbers', async () => {
    const sender = broker.client.createSender('oltp-events');
    await sender.sendMessages({ body: { id: 1 }, messageId: 'copy-1' });
    await sender.sendMessages([
      { body: { id: 2 }, messageId: 'copy-2' },
      { body: { id: 3 }, messageId: 'copy-3' },
    ]);
    await sender.close();

    const analytics = await drain(broker, 'oltp-events', 'analytics');
    const operational = await drain(broker, 'oltp-events', 'operational');

    expect(analytics.map((m) => m.body as unknown)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(operational.map((m) => m.body as unknown)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(analytics.map((m) => Number(m.sequenceNumber))).toEqual([1, 2, 3]);
    expect(operational.map((m) => Number(m.sequenceNumber))).toEqual([1, 2, 3]);
    expect(analytics[0].enqueuedTimeUtc).toBeInstanceOf(Date);
  });

  it('should route by correlation and SQL filters', async () => {
    const sender = broker.client.createSender('oltp-events');
    await sender.sendMessages([
      {
        body: 'eu-order',
        messageId: 'f1',
        subject: 'order',
        applicationProperties: { region: 'eu', amount: 5 },
      },
      {
        body: 'us-order',
        messageId: 'f2',
        subject: 'order',
        applicationProperties: { region: 'us', amount: 500, kind: 'a' },
      },
      {
        body: 'vip',
        messageId: 'f3',
        subject: 'vip-refund',
        applicationProperties: { amount: 101, kind: 'z' },
      },
      { body: 'small', messageId: 'f4', subject: 'vip', applicationProperties: { amount: 100, kind: 'a' } },
      { body: 'no-amount', messageId: 'f5', applicationProperties: { kind: 'a' } },
    ]);
    await sender.close();

    const ordersOnly = await drain(broker, 'oltp-events', 'orders-only');
    const bigAmounts = await drain(broker, 'oltp-events', 'big-amounts');
    const analytics = await drain(broker, 'oltp-events', 'analytics');

    expect(ordersOnly.map((m) => m.body as unknown)).toEqual(['eu-order']);
    expect(bigAmounts.map((m) => m.body as unknown)).toEqual(['us-order', 'vip']);
    expect(analytics).toHaveLength(5);
  });

  it('should preserve system and application properties and body types', async () => {
    const sender = broker.client.createSender('orders');
    const creation = new Date('2024-05-06T07:08:09.000Z');
    await sender.sendMessages({
      body: Buffer.from([0, 1, 2, 254, 255]),
      messageId: 'props-1',
      correlationId: 'corr-9',
      subject: 'order-created',
      contentType: 'application/octet-stream',
      to: 'somewhere',
      replyTo: 'replies',
      timeToLive: 3_600_000,
      applicationProperties: { text: 'ü', int: 42, negative: -7, float: 1.5, flag: true, when: creation },
    });
    await sender.sendMessages({ body: ['a', 1], bodyType: 'sequence', messageId: 'seq-1' });
    await sender.sendMessages({ body: { nested: [1, 2] }, bodyType: 'value', messageId: 'value-1' });
    await sender.close();

    const receiver = broker.client.createReceiver('orders', { receiveMode: 'receiveAndDelete' });
    const [data, sequence, value] = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    await receiver.close();

    expect(Buffer.from(data.body as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 254, 255]));
    expect(data).toMatchObject({
      messageId: 'props-1',
      correlationId: 'corr-9',
      subject: 'order-created',
      contentType: 'application/octet-stream',
      to: 'somewhere',
      replyTo: 'replies',
      timeToLive: 3_600_000,
      // The SDK sends Date application properties as epoch milliseconds.
      applicationProperties: {
        text: 'ü',
        int: 42,
        negative: -7,
        float: 1.5,
        flag: true,
        when: creation.getTime(),
      },
    });
    expect(sequence._rawAmqpMessage.bodyType).toBe('sequence');
    expect(sequence.body).toEqual(['a', 1]);
    expect(value._rawAmqpMessage.bodyType).toBe('value');
    expect(value.body).toEqual({ nested: [1, 2] });
  });

  it('should stamp a message id when the sender sets none', async () => {
    const sender = broker.client.createSender('orders');
    await sender.sendMessages({ body: 'anonymous' });
    await sender.close();
    const receiver = broker.client.createReceiver('orders');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(message.messageId).toMatch(/^[0-9a-f]{32}$/);
    await receiver.completeMessage(message);
    await receiver.close();
  });

  it('should report active messages per entity as a Prometheus gauge', async () => {
    const sender = broker.client.createSender('orders-forwarded');
    await sender.sendMessages([{ body: 'g1' }, { body: 'g2' }]);
    await sender.close();
    const gauge = register.getSingleMetric('servicebus_emulator_active_messages');
    const values = (await gauge?.get())?.values ?? [];
    expect(values.find((v) => v.labels.entity === 'orders-forwarded')?.value).toBe(2);
    const receiver = broker.client.createReceiver('orders-forwarded', { receiveMode: 'receiveAndDelete' });
    expect(await receiver.receiveMessages(2, { maxWaitTimeInMs: 2000 })).toHaveLength(2);
    await receiver.close();
  });

  it('should forward messages of a queue with ForwardTo', async () => {
    const sender = broker.client.createSender('forwarder');
    await sender.sendMessages({ body: 'hop', messageId: 'fwd-1' });
    await sender.close();
    const receiver = broker.client.createReceiver('orders-forwarded', { receiveMode: 'receiveAndDelete' });
    const messages = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.close();
    expect(messages.map((m) => m.body as unknown)).toEqual(['hop']);
  });
});
