/**
 * The demo's operational consumer against the embedded broker with the real SDK: every event of the `operational`
 * subscription lands once in the operational database, whatever is redelivered; a message is settled only after its
 * write is committed (a crash before the commit loses nothing, a crash after it changes nothing); a poison message
 * is dead-lettered with its reason.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging/logger.js';
import { toEnvelope } from '../../src/demo-event.js';
import { InMemoryFollowUpQueue } from '../../src/follow-up-queue.js';
import type { OutboxMessage } from '../../src/oltp-store.js';
import { OltpSimulator } from '../../src/oltp-simulator.js';
import { OperationalConsumer, type OperationalConsumerOptions } from '../../src/operational-consumer.js';
import {
  OperationalStore,
  operationalStorePath,
  type OperationalEventWriter,
  type OperationalRow,
} from '../../src/operational-store.js';
import { ServiceBusEventSender } from '../../src/servicebus-event-sender.js';
import { startServiceBusEmulator, type RunningServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import { ensureBuilt, packageRoot } from '../utils/ensure-built.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';

const run = promisify(execFile);
const TOPIC = 'oltp-events';
const START = Date.UTC(2026, 10, 16);
const FIXTURE = join(packageRoot, 'test', 'integration', 'fixtures', 'crashing-operational-consumer.mjs');

/** The demo topic with a short lock, so that messages a crashed consumer held come back within seconds. */
const CONFIG = {
  UserConfig: {
    Namespaces: [
      {
        Name: 'sbemulatorns',
        Queues: [],
        Topics: [
          {
            Name: TOPIC,
            Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT10M' },
            Subscriptions: [
              { Name: 'operational', Properties: { LockDuration: 'PT2S', MaxDeliveryCount: 10 } },
            ],
          },
        ],
      },
    ],
  },
};

/** `count` events of the simulated shop, as the OLTP app's outbox publishes them. */
function demoEvents(count: number, seed: number): OutboxMessage[] {
  const sim = OltpSimulator.create({ seed, initialCustomers: 30 }, new InMemoryFollowUpQueue(), START);
  const events = sim.advance(START + 6 * 3_600_000, 2).slice(0, count);
  expect(events).toHaveLength(count);
  return events.map((e) => ({
    seq: e.seq,
    messageId: e.messageId,
    eventType: e.eventType,
    tenantId: e.tenantId,
    body: JSON.stringify(toEnvelope(e)),
  }));
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe(OperationalConsumer.name, () => {
  let broker: RunningServiceBusEmulator;
  let brokerDir: string;
  let client: ServiceBusClient;
  let dataDir: string;
  let consumer: OperationalConsumer | undefined;

  // A broker of its own for each test, so that no message of one test is left for the next.
  beforeEach(async () => {
    dataDir = await tempDir('operational-data');
    brokerDir = await tempDir('operational-broker');
    broker = await startServiceBusEmulator({
      port: 0,
      dataDir: brokerDir,
      config: CONFIG,
      logger: silentLogger,
    });
    client = new ServiceBusClient(broker.connectionString);
  });

  afterEach(async () => {
    await consumer?.close();
    consumer = undefined;
    await client?.close();
    await broker?.close();
    await Promise.all([removeDir(dataDir), removeDir(brokerDir)]);
  });

  async function publish(messages: readonly OutboxMessage[]): Promise<void> {
    const sender = new ServiceBusEventSender(broker.connectionString, TOPIC);
    try {
      await sender.send(messages);
    } finally {
      await sender.close();
    }
  }

  function startConsumer(options: Partial<OperationalConsumerOptions> = {}): OperationalConsumer {
    consumer = new OperationalConsumer({
      connectionString: broker.connectionString,
      topic: TOPIC,
      dataDir,
      logger: silentLogger,
      maxBatch: 10,
      maxWaitMs: 300,
      backoff: { initialMs: 50, maxMs: 200 },
      ...options,
    });
    void consumer.start();
    return consumer;
  }

  function storedRows(): OperationalRow[] {
    const store = OperationalStore.open(operationalStorePath(dataDir));
    try {
      return store.rows();
    } finally {
      store.close();
    }
  }

  /**
   * Active and locked messages still on the subscription. A client of its own each time: the SDK keeps the last
   * peeked sequence number per entity and client, and a second peek would start after it.
   */
  async function onSubscription(): Promise<ServiceBusReceivedMessage[]> {
    const peeker = new ServiceBusClient(broker.connectionString);
    try {
      return await peeker.createReceiver(TOPIC, 'operational').peekMessages(1_000);
    } finally {
      await peeker.close();
    }
  }

  async function deadLettered(): Promise<ServiceBusReceivedMessage[]> {
    const receiver = client.createReceiver(TOPIC, 'operational', {
      subQueueType: 'deadLetter',
      receiveMode: 'receiveAndDelete',
    });
    try {
      return await receiver.receiveMessages(100, { maxWaitTimeInMs: 1_000 });
    } finally {
      await receiver.close();
    }
  }

  async function drained(running: OperationalConsumer, expectedRows: number): Promise<void> {
    await until(`${expectedRows} rows and an empty subscription`, async () =>
      storedRows().length === expectedRows && (await onSubscription()).length === 0 ? true : undefined,
    );
    await running.close();
  }

  it('should write every event once, keyed by MessageId, and leave the subscription empty', async () => {
    const events = demoEvents(25, 1);
    await publish(events);
    const running = startConsumer();
    await drained(running, 25);
    const rows = storedRows();
    expect(rows.map((r) => r.messageId).sort()).toEqual(events.map((e) => e.messageId).sort());
    const first = rows.find((r) => r.messageId === events[0].messageId)!;
    expect(first).toMatchObject({ eventType: events[0].eventType, body: events[0].body });
    expect(first.enqueuedAt).toEqual(expect.any(Number));
    expect(running.stats()).toMatchObject({ received: 25, written: 25, unchanged: 0, deadLettered: 0 });
  });

  it('should abandon what it could not commit, so the broker redelivers it, and write it once later', async () => {
    const events = demoEvents(12, 2);
    await publish(events);
    const store = OperationalStore.open(operationalStorePath(dataDir));
    // The disk is full for the first batch, and for each of its messages that the consumer then writes alone.
    let failedBatch = 0;
    let calls = 0;
    const flaky: OperationalEventWriter = {
      write(batch, nowMs) {
        calls++;
        if (calls === 1) {
          failedBatch = batch.length;
        }
        if (calls <= 1 + failedBatch) {
          throw new Error('SQLITE_FULL: database or disk is full');
        }
        return store.write(batch, nowMs);
      },
      close: () => store.close(),
    };
    const running = startConsumer({ store: flaky, maxBatch: 100 });
    await drained(running, 12);
    // The first batch failed its write (nothing committed): each of its messages came again, which a completed
    // message would not have.
    expect(failedBatch).toBeGreaterThan(0);
    expect(running.stats()).toMatchObject({
      abandoned: failedBatch,
      received: 12 + failedBatch,
      written: 12,
      unchanged: 0,
      lastError: null,
    });
    expect(
      storedRows()
        .map((r) => r.messageId)
        .sort(),
    ).toEqual(events.map((e) => e.messageId).sort());
  });

  it('should abandon only the message whose row fails, writing the rest of its batch', async () => {
    const events = demoEvents(8, 3);
    await publish(events);
    const store = OperationalStore.open(operationalStorePath(dataDir));
    const bad = events[3].messageId;
    let refusals = 0;
    const picky: OperationalEventWriter = {
      write(batch, nowMs) {
        if (refusals < 2 && batch.some((e) => e.messageId === bad)) {
          refusals++;
          throw new Error(`constraint failed for ${bad}`);
        }
        return store.write(batch, nowMs);
      },
      close: () => store.close(),
    };
    const running = startConsumer({ store: picky, maxBatch: 100 });
    await drained(running, 8);
    // The batch failed, then the message alone: only it was abandoned and delivered again.
    expect(running.stats()).toMatchObject({ abandoned: 1, received: 9, written: 8 });
  });

  describe('in a process that is killed inside its write', () => {
    beforeAll(async () => {
      await ensureBuilt();
    }, 300_000);

    async function crashIn(moment: 'before-commit' | 'after-commit'): Promise<void> {
      const exit = await run(process.execPath, [FIXTURE, broker.connectionString, dataDir, moment]).then(
        () => 'exited',
        (error: { signal?: string }) => error.signal,
      );
      expect(exit).toBe('SIGKILL');
    }

    it('should lose nothing when killed before the commit: nothing was settled', async () => {
      const events = demoEvents(15, 4);
      await publish(events);
      await crashIn('before-commit');
      expect(storedRows()).toEqual([]);
      expect(await onSubscription()).toHaveLength(15);

      const running = startConsumer();
      await drained(running, 15);
      expect(
        storedRows()
          .map((r) => r.messageId)
          .sort(),
      ).toEqual(events.map((e) => e.messageId).sort());
      expect(running.stats()).toMatchObject({ written: 15, unchanged: 0 });
    });

    it('should change nothing when killed after the commit: the redelivered events are already there', async () => {
      const events = demoEvents(15, 5);
      await publish(events);
      await crashIn('after-commit');
      const committed = storedRows();
      // The first batch (at most maxBatch, 10) was committed, and none of the 15 messages was settled.
      expect(committed.length).toBeGreaterThan(0);
      expect(committed.length).toBeLessThanOrEqual(10);
      expect(await onSubscription()).toHaveLength(15);

      const running = startConsumer();
      await drained(running, 15);
      const after = storedRows();
      for (const row of committed) {
        // Same body, same written_at: the redelivery did not touch the row.
        expect(after.find((r) => r.messageId === row.messageId)).toEqual(row);
      }
      expect(running.stats()).toMatchObject({
        received: 15,
        written: 15 - committed.length,
        unchanged: committed.length,
      });
    });
  });

  it('should dead-letter a poison message with its reason and the exact problem, and write the rest', async () => {
    const events = demoEvents(6, 6);
    const notJson = { ...events[1], body: '{"messageId": "broken' };
    const envelope = JSON.parse(events[2].body) as Record<string, unknown>;
    const noTenant = { ...events[2], body: JSON.stringify({ ...envelope, tenantId: '' }) };
    await publish([events[0], notJson, noTenant, events[3], events[4], events[5]]);
    const running = startConsumer();
    await drained(running, 4);

    const dlq = await deadLettered();
    expect(
      dlq
        .map((m) => ({
          messageId: m.messageId,
          reason: m.deadLetterReason,
          description: m.deadLetterErrorDescription,
        }))
        .sort((a, b) => String(a.messageId).localeCompare(String(b.messageId))),
    ).toEqual(
      [
        {
          messageId: notJson.messageId,
          reason: 'InvalidJson',
          description: expect.stringMatching(
            /^the body is not JSON: Unterminated string in JSON at position/,
          ),
        },
        {
          messageId: noTenant.messageId,
          reason: 'ContractViolation',
          description: 'tenantId must be a non-empty string, got ""',
        },
      ].sort((a, b) => a.messageId.localeCompare(b.messageId)),
    );
    expect(running.stats()).toMatchObject({ deadLettered: 2, written: 4, abandoned: 0 });
  });

  it('should stop promptly on close while waiting for messages, and resume from the same database', async () => {
    const running = startConsumer({ maxWaitMs: 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    const closing = Date.now();
    await running.close();
    // The receive in progress is aborted rather than waited out.
    expect(Date.now() - closing).toBeLessThan(10_000);

    const events = demoEvents(5, 7);
    await publish(events);
    await drained(startConsumer(), 5);
  });
});
