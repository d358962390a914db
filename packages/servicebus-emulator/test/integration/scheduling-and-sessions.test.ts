import { isServiceBusError, ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './servicebus-test-broker.js';

describe('ServiceBusBroker scheduling, duplicates, TTL and sessions', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker();
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('should hold a scheduled message until its time and cancel another', async () => {
    const sender = broker.client.createSender('orders');
    // Far enough ahead that the schedule, cancel and peek below finish first even on a loaded machine.
    const at = new Date(Date.now() + 3000);
    const [keep] = await sender.scheduleMessages({ body: 'later', messageId: 'sched-1' }, at);
    const [cancel] = await sender.scheduleMessages({ body: 'never', messageId: 'sched-2' }, at);
    await sender.cancelScheduledMessages(cancel);
    await sender.close();

    const receiver = broker.client.createReceiver('orders');
    const peeked = await receiver.peekMessages(10);
    expect(peeked.map((m) => [m.body as unknown, m.state])).toEqual([['later', 'scheduled']]);
    expect(Number(peeked[0].sequenceNumber)).toBe(Number(keep));
    // What must hold is that nothing arrives before its time; a stalled machine may already be past it.
    const early = await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 });
    const [message] =
      early.length > 0 ? early : await receiver.receiveMessages(1, { maxWaitTimeInMs: 10_000 });
    expect(message.body).toBe('later');
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    expect(message.scheduledEnqueueTimeUtc?.getTime()).toBe(at.getTime());
    await receiver.completeMessage(message);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 })).toHaveLength(0);
    await receiver.close();
  });

  it('should fan a scheduled topic message out to the subscriptions when due', async () => {
    const sender = broker.client.createSender('oltp-events');
    const at = new Date(Date.now() + 1500);
    await sender.scheduleMessages({ body: 'scheduled-event', messageId: 'sched-topic-1' }, at);
    await sender.close();
    const receiver = broker.client.createReceiver('oltp-events', 'operational', {
      receiveMode: 'receiveAndDelete',
    });
    const early = await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 });
    const [message] =
      early.length > 0 ? early : await receiver.receiveMessages(1, { maxWaitTimeInMs: 10_000 });
    expect(message.body).toBe('scheduled-event');
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    await receiver.close();
    const analytics = broker.client.createReceiver('oltp-events', 'analytics', {
      receiveMode: 'receiveAndDelete',
    });
    expect(
      (await analytics.receiveMessages(5, { maxWaitTimeInMs: 1000 })).map((m) => m.body as unknown),
    ).toEqual(['scheduled-event']);
    await analytics.close();
  });

  it('should drop a resend of the same MessageId inside the duplicate detection window', async () => {
    const sender = broker.client.createSender('dedup');
    await sender.sendMessages({ body: 'first', messageId: 'dup-1' });
    await sender.sendMessages({ body: 'resend', messageId: 'dup-1' });
    await sender.sendMessages([
      { body: 'other', messageId: 'dup-2' },
      { body: 'same batch', messageId: 'dup-2' },
    ]);
    await sender.close();
    const receiver = broker.client.createReceiver('dedup', { receiveMode: 'receiveAndDelete' });
    const messages = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    expect(messages.map((m) => m.body as unknown)).toEqual(['first', 'other']);
    await receiver.close();
  });

  it('should dead-letter expired messages when DeadLetteringOnMessageExpiration is set', async () => {
    const sender = broker.client.createSender('expiring');
    await sender.sendMessages({ body: 'stale', messageId: 'ttl-1' });
    await sender.sendMessages({ body: 'short', messageId: 'ttl-2', timeToLive: 200 });
    await sender.close();
    const dlq = broker.client.createReceiver('expiring', {
      subQueueType: 'deadLetter',
      receiveMode: 'receiveAndDelete',
    });
    const dead = [];
    const deadline = Date.now() + 8000;
    while (dead.length < 2 && Date.now() < deadline) {
      dead.push(...(await dlq.receiveMessages(2, { maxWaitTimeInMs: 500 })));
    }
    expect(dead.map((m) => m.body as unknown).sort()).toEqual(['short', 'stale']);
    expect(dead.every((m) => m.deadLetterReason === 'TTLExpiredException')).toBe(true);
    await dlq.close();
    const receiver = broker.client.createReceiver('expiring');
    expect(await receiver.peekMessages(10)).toHaveLength(0);
    await receiver.close();
  });

  it('should give session receivers only their session, in order', async () => {
    const sender = broker.client.createSender('sessions');
    await sender.sendMessages([
      { body: 'a1', sessionId: 'A' },
      { body: 'b1', sessionId: 'B' },
      { body: 'a2', sessionId: 'A' },
      { body: 'b2', sessionId: 'B' },
      { body: 'a3', sessionId: 'A' },
    ]);
    await sender.close();

    const a = await broker.client.acceptSession('sessions', 'A');
    expect(a.sessionLockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());
    const fromA = await a.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    expect(fromA.map((m) => m.body as unknown)).toEqual(['a1', 'a2', 'a3']);
    for (const m of fromA) {
      await a.completeMessage(m);
    }
    await a.setSessionState(Buffer.from('checkpoint-3'));
    expect(Buffer.from((await a.getSessionState()) as Uint8Array).toString()).toBe('checkpoint-3');
    const renewed = await a.renewSessionLock();
    expect(renewed.getTime()).toBeGreaterThan(Date.now());

    const second: unknown = await broker.client.acceptSession('sessions', 'A').catch((e: unknown) => e);
    expect(isServiceBusError(second) && second.code).toBe('SessionCannotBeLocked');
    await a.close();

    const next = await broker.client.acceptNextSession('sessions');
    expect(next.sessionId).toBe('B');
    const fromB = await next.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    expect(fromB.map((m) => m.body as unknown)).toEqual(['b1', 'b2']);
    for (const m of fromB) {
      await next.completeMessage(m);
    }
    await next.close();

    const again = await broker.client.acceptSession('sessions', 'A');
    expect(Buffer.from((await again.getSessionState()) as Uint8Array).toString()).toBe('checkpoint-3');
    await again.close();
  });

  it('should time out acceptNextSession when no session has messages', async () => {
    // The SDK sends its operation timeout as the broker-side wait for a session.
    const client = new ServiceBusClient(broker.emulator.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 1500 },
    });
    const error: unknown = await client.acceptNextSession('sessions').catch((e: unknown) => e);
    await client.close();
    expect(isServiceBusError(error) && error.code).toBe('ServiceTimeout');
  });

  it('should refuse a session receiver on a subscription without sessions in the words of Azure Service Bus', async () => {
    // Like Azure Service Bus, the broker answers the attach and refuses it with a detach in one write. The SDK
    // then reports the broker's error when it asked for any session…
    const error: unknown = await broker.client
      .acceptNextSession('oltp-events', 'operational')
      .catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('GeneralError');
    expect((error as Error).message).toBe(
      'InvalidOperationError: A sessionful message receiver cannot be created on an entity that does not require ' +
        'sessions. Ensure RequiresSession is set to true when creating a Queue or Subscription to enable sessionful ' +
        "behavior. Entity: 'oltp-events/Subscriptions/operational'.",
    );
    // …and its own SessionCannotBeLocked for a named session, which is what it documents for this case.
    const named: unknown = await broker.client
      .acceptSession('oltp-events', 'operational', 'a-session')
      .catch((e: unknown) => e);
    expect(isServiceBusError(named) && named.code).toBe('SessionCannotBeLocked');
    expect((named as Error).message).toBe(
      "Failed to create a receiver for the requested session 'a-session'. It may be locked by another receiver.",
    );
  });

  it('should refuse a plain receiver on a session queue in the words of Azure Service Bus', async () => {
    const receiver = broker.client.createReceiver('sessions');
    const error: unknown = await receiver
      .receiveMessages(1, { maxWaitTimeInMs: 1000 })
      .catch((e: unknown) => e);
    await receiver.close();
    expect(isServiceBusError(error) && error.code).toBe('GeneralError');
    expect((error as Error).message).toBe(
      'InvalidOperationError: It is not possible for an entity that requires sessions to create a non-sessionful ' +
        "message receiver. Entity: 'sessions'.",
    );
  });

  it('should refuse a message without session id on a session queue', async () => {
    const sender = broker.client.createSender('sessions');
    const error: unknown = await sender.sendMessages({ body: 'no-session' }).catch((e: unknown) => e);
    await sender.close();
    expect(isServiceBusError(error) && error.code).toBe('GeneralError');
    expect((error as Error).message).toContain('InvalidOperationError');
  });
});
