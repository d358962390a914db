import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logging/logger.js';
import { FRAUD_VICTIMS, buildCustomerProfile } from '../../src/customer-profile.js';
import { contractViolations } from '../../src/demo-event-contract.js';
import type { DemoEventEnvelope } from '../../src/demo-event.js';
import { DemoProducer, type DemoProducerOptions } from '../../src/demo-producer.js';
import { OltpStore, oltpStorePath, type OutboxMessage } from '../../src/oltp-store.js';
import { ServiceBusEventSender, type EventSender } from '../../src/servicebus-event-sender.js';
import { startServiceBusEmulator, type RunningServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import { removeDir, tempDir } from '../utils/temp-dir.js';

const TOPIC = 'oltp-events';
// A Friday noon, so the live minutes run at a busy time of the week.
const T0 = Date.UTC(2026, 10, 20, 12);

/** The topic the demo publishes to, with the two subscriptions of docs/architecture.md. */
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
            Subscriptions: [{ Name: 'analytics' }, { Name: 'operational' }],
          },
        ],
      },
    ],
  },
};

/** The embedded broker with the demo's topic (subscriptions analytics + operational). */
async function startBroker(dirs: string[]): Promise<RunningServiceBusEmulator> {
  const dataDir = await tempDir('demo-broker');
  dirs.push(dataDir);
  return startServiceBusEmulator({ port: 0, dataDir, config: CONFIG });
}

/**
 * Receives from the `operational` subscription. Tests drain it as they go: the embedded broker currently fails
 * a receive link when more than 2048 messages are waiting (see the demo report), so backlogs are kept small.
 */
class OperationalReader {
  readonly received: ServiceBusReceivedMessage[] = [];
  private readonly client: ServiceBusClient;
  private readonly receiver: ServiceBusReceiver;

  constructor(connectionString: string) {
    this.client = new ServiceBusClient(connectionString);
    this.receiver = this.client.createReceiver(TOPIC, 'operational', { receiveMode: 'receiveAndDelete' });
  }

  /**
   * Receives until `total` messages have arrived in all: each receive returns as soon as the missing ones are in,
   * where `drain` always ends with a wait on an empty subscription.
   */
  async receiveUntil(total: number): Promise<void> {
    while (this.received.length < total) {
      const batch = await this.receiver.receiveMessages(total - this.received.length, {
        maxWaitTimeInMs: 5_000,
      });
      if (batch.length === 0) {
        throw new Error(`only ${this.received.length} of ${total} published messages arrived`);
      }
      this.received.push(...batch);
    }
  }

  /** Receives until the subscription has been empty for one wait. */
  async drain(): Promise<ServiceBusReceivedMessage[]> {
    for (;;) {
      const batch = await this.receiver.receiveMessages(1000, { maxWaitTimeInMs: 700 });
      if (batch.length === 0) {
        return this.received;
      }
      this.received.push(...batch);
    }
  }

  async close(): Promise<void> {
    await this.receiver.close();
    await this.client.close();
  }
}

async function receiveAll(connectionString: string): Promise<ServiceBusReceivedMessage[]> {
  const reader = new OperationalReader(connectionString);
  try {
    return await reader.drain();
  } finally {
    await reader.close();
  }
}

function storedEvents(dataDir: string): (OutboxMessage & { sentAt: number | null })[] {
  const store = OltpStore.open(oltpStorePath(dataDir));
  try {
    return store.events();
  } finally {
    store.close();
  }
}

/** A producer on a hand-driven clock: `advance(ms)` moves time and runs one live step. */
function testProducer(
  options: Partial<DemoProducerOptions> & Pick<DemoProducerOptions, 'connectionString' | 'dataDir'>,
) {
  let now = T0;
  const producer = new DemoProducer({
    topic: TOPIC,
    rate: 2,
    seed: 7,
    backfillDays: 1,
    backfillEvents: 400,
    initialCustomers: 100,
    tickMs: 0,
    logger: silentLogger,
    clock: () => now,
    ...options,
  });
  return {
    producer,
    advance: async (ms: number, stepMs = 5_000): Promise<void> => {
      for (const end = now + ms; now < end;) {
        now = Math.min(end, now + stepMs);
        await producer.step();
      }
    },
  };
}

/**
 * Wraps the real sender and fails once, either before sending (broker unreachable) or after the broker accepted
 * the batch (the process dies before the outbox is marked), recording every MessageId it handed to the broker.
 */
class FlakySender implements EventSender {
  readonly sentIds: string[] = [];
  private calls = 0;

  constructor(
    private readonly inner: EventSender,
    private readonly failOnCall: number,
    private readonly mode: 'before-send' | 'after-send',
  ) {}

  async send(messages: readonly OutboxMessage[]): Promise<void> {
    this.calls++;
    if (this.calls === this.failOnCall && this.mode === 'before-send') {
      throw new Error('injected failure: broker unreachable');
    }
    await this.inner.send(messages);
    this.sentIds.push(...messages.map((m) => m.messageId));
    if (this.calls === this.failOnCall) {
      throw new Error('injected failure: crashed before marking the outbox');
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe(DemoProducer.name, () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((d) => removeDir(d)));
  });

  describe('start and step', () => {
    let broker: RunningServiceBusEmulator;
    let dataDir: string;
    let stored: ReturnType<typeof storedEvents>;
    let received: ServiceBusReceivedMessage[];
    let stats: ReturnType<DemoProducer['stats']>;

    beforeAll(async () => {
      broker = await startBroker(dirs);
      dataDir = await tempDir('demo-producer');
      dirs.push(dataDir);
      const { producer, advance } = testProducer({
        connectionString: broker.connectionString,
        dataDir,
        rate: 1,
      });
      const reader = new OperationalReader(broker.connectionString);
      try {
        await producer.start({ waitForBackfill: true });
        await reader.receiveUntil(producer.stats().published);
        // Twenty live minutes: enough for every injected fraud pattern to play out.
        for (let minute = 0; minute < 20; minute++) {
          await advance(60_000, 30_000);
          await reader.receiveUntil(producer.stats().published);
        }
        stats = producer.stats();
        await producer.stop();
        // Until the subscription stays empty: anything beyond what was published would show up here.
        received = await reader.drain();
      } finally {
        await reader.close();
      }
      stored = storedEvents(dataDir);
    });

    afterAll(async () => {
      await broker.close();
    });

    it('should deliver to the operational subscription exactly what the SQLite store holds', () => {
      expect(stored.length).toBeGreaterThan(1_500);
      expect(stored.every((e) => e.sentAt !== null)).toBe(true);
      expect(received.length).toBe(stored.length);
      const byId = new Map(received.map((m) => [m.messageId as string, m]));
      for (const row of stored) {
        const message = byId.get(row.messageId);
        expect(message, row.messageId).toBeDefined();
        expect(message!.body).toEqual(JSON.parse(row.body));
        expect(message!.applicationProperties).toEqual({ eventType: row.eventType, tenantId: row.tenantId });
        expect(message!.contentType).toBe('application/json');
        expect(message!.subject).toBe(row.eventType);
      }
    });

    it('should publish bodies that follow docs/events.md, with the broker MessageId inside', () => {
      const problems = received.flatMap((m) => contractViolations(m.body as DemoEventEnvelope));
      expect(problems.slice(0, 10)).toEqual([]);
      expect(received.every((m) => (m.body as DemoEventEnvelope).messageId === m.messageId)).toBe(true);
    });

    it('should backfill a day of history before going live', () => {
      const times = stored.map((e) => Date.parse((JSON.parse(e.body) as DemoEventEnvelope).occurredAt));
      expect(Math.min(...times)).toBe(T0 - 86_400_000);
      expect(times.filter((t) => t < T0).length).toBeGreaterThan(400);
      expect(times.filter((t) => t >= T0).length).toBeGreaterThan(600);
    });

    it('should report what it published in stats() and the Prometheus counter', async () => {
      expect(stats.published).toBe(stored.length);
      expect(stats.unsent).toBe(0);
      expect(Object.values(stats.byType).reduce((a, b) => a + b, 0)).toBe(stored.length);
      const metric = await register.getSingleMetric('demo_shop_events_published_total')!.get();
      const total = metric.values.reduce((sum, v) => sum + v.value, 0);
      expect(total).toBeGreaterThanOrEqual(stored.length);
    });

    it('should put the injected fraud patterns on the topic at the known accounts', () => {
      const payments = received
        .map((m) => m.body as DemoEventEnvelope)
        .filter((b) => b.eventType === 'payment.authorized' || b.eventType === 'payment.declined')
        .filter((b) => Date.parse(b.occurredAt) >= T0);
      const at = (pattern: keyof typeof FRAUD_VICTIMS) => {
        const victim = buildCustomerProfile(7, FRAUD_VICTIMS[pattern][0]);
        return {
          victim,
          payments: payments.filter((p) => p.data.accountId === victim.accounts[0].accountId),
        };
      };
      const cardTesting = at('card_testing');
      expect(cardTesting.payments.filter((p) => p.eventType === 'payment.declined').length).toBeGreaterThan(
        8,
      );
      const travel = at('impossible_travel');
      expect(new Set(travel.payments.map((p) => p.data.ipCountry)).size).toBeGreaterThanOrEqual(2);
      const spike = at('amount_spike');
      expect(spike.payments.filter((p) => (p.data.amount as number) > 2_000).length).toBeGreaterThanOrEqual(
        3,
      );
    });
  });

  describe('start in the background', () => {
    it('should return at once, publish the history while live steps follow, and stop cleanly', async () => {
      const broker = await startBroker(dirs);
      const dataDir = await tempDir('demo-background');
      dirs.push(dataDir);
      try {
        const producer = new DemoProducer({
          connectionString: broker.connectionString,
          topic: TOPIC,
          rate: 20,
          seed: 3,
          dataDir,
          backfillDays: 1,
          backfillEvents: 200,
          initialCustomers: 50,
          tickMs: 50,
          logger: silentLogger,
        });
        await producer.start();
        const deadline = Date.now() + 60_000;
        while (producer.stats().backfilling || producer.stats().published === 0) {
          expect(Date.now()).toBeLessThan(deadline);
          await new Promise((r) => setTimeout(r, 100));
        }
        await producer.stop();
        const stats = producer.stats();
        const stored = storedEvents(dataDir);
        expect(stats.published + stats.unsent).toBe(stored.length);
        expect(stored.filter((e) => e.sentAt !== null).length).toBe(stats.published);
      } finally {
        await broker.close();
      }
    });
  });

  describe('determinism', () => {
    it('should produce the same first events for the same seed and start time, and others for another seed', async () => {
      const broker = await startBroker(dirs);
      try {
        const runs: ReturnType<typeof storedEvents>[] = [];
        for (const seed of [11, 11, 12]) {
          const dataDir = await tempDir('demo-determinism');
          dirs.push(dataDir);
          const { producer, advance } = testProducer({
            connectionString: broker.connectionString,
            dataDir,
            seed,
          });
          await producer.start({ waitForBackfill: true });
          await advance(60_000);
          await producer.stop();
          runs.push(storedEvents(dataDir));
        }
        const firstN = (rows: ReturnType<typeof storedEvents>) =>
          rows.slice(0, 500).map((r) => ({ messageId: r.messageId, body: r.body }));
        expect(runs[0].length).toBeGreaterThan(500);
        expect(firstN(runs[1])).toEqual(firstN(runs[0]));
        expect(runs[2][0].messageId).not.toBe(runs[0][0].messageId);
      } finally {
        await broker.close();
      }
    });
  });

  describe('outbox recovery', () => {
    for (const mode of ['before-send', 'after-send'] as const) {
      it(`should resend unsent events with the same MessageIds after a failure ${mode}`, async () => {
        const broker = await startBroker(dirs);
        const dataDir = await tempDir('demo-outbox');
        dirs.push(dataDir);
        try {
          const flaky = new FlakySender(new ServiceBusEventSender(broker.connectionString, TOPIC), 2, mode);
          const first = testProducer({ connectionString: broker.connectionString, dataDir, sender: flaky });
          await first.producer.start({ waitForBackfill: true });
          // The failed batch and everything generated after it stays unsent: the process "dies" here.
          expect(first.producer.stats().unsent).toBeGreaterThan(0);
          expect(first.producer.stats().lastError).toMatch(/^injected failure/);
          await first.producer.stop();
          const beforeRestart = storedEvents(dataDir);
          const unsentIds = beforeRestart.filter((e) => e.sentAt === null).map((e) => e.messageId);
          expect(unsentIds.length).toBeGreaterThan(0);

          const recorder = new FlakySender(
            new ServiceBusEventSender(broker.connectionString, TOPIC),
            -1,
            'after-send',
          );
          const second = testProducer({
            connectionString: broker.connectionString,
            dataDir,
            sender: recorder,
          });
          await second.producer.start({ waitForBackfill: true });
          expect(second.producer.stats()).toMatchObject({ unsent: 0, lastError: null });
          // The restart republished exactly the unsent rows, in order and under their original MessageIds.
          expect(recorder.sentIds.slice(0, unsentIds.length)).toEqual(unsentIds);
          await second.advance(30_000);
          await second.producer.stop();

          const stored = storedEvents(dataDir);
          // The store continued where it stopped: no second history, no reused sequence numbers.
          expect(stored.slice(0, beforeRestart.length).map((e) => e.messageId)).toEqual(
            beforeRestart.map((e) => e.messageId),
          );
          expect(stored.filter((e) => e.eventType === 'customer.registered').length).toBe(
            beforeRestart.filter((e) => e.eventType === 'customer.registered').length +
              stored.slice(beforeRestart.length).filter((e) => e.eventType === 'customer.registered').length,
          );
          const received = await receiveAll(broker.connectionString);
          const ids = received.map((m) => m.messageId as string);
          // 'after-send' published the failed batch twice; the broker's duplicate detection drops the copy.
          expect(new Set(ids).size).toBe(ids.length);
          expect(new Set(ids)).toEqual(new Set(stored.map((e) => e.messageId)));
          const everSent = [...flaky.sentIds, ...recorder.sentIds];
          expect(new Set(everSent)).toEqual(new Set(stored.map((e) => e.messageId)));
        } finally {
          await broker.close();
        }
      });
    }
  });
});
