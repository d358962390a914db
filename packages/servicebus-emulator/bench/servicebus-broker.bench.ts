/**
 * Embedded Service Bus broker: the real `@azure/service-bus` SDK sending to and receiving from the broker
 * (peek-lock, complete), everything in one process on 127.0.0.1 as under `npm start`.
 *  - throughput: 1 KiB messages, sent in batches by several concurrent senders, received by `subscribe()` with
 *    a credit window of 500 (prefetch) and completed one by one — msgs/s from first send to last complete;
 *  - the same through a topic with two subscriptions (every message stored and settled twice);
 *  - latency: single sends at a fixed moderate rate; send-call start → receive handler, p50/p99.
 */
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import type { BenchContext, BenchRow, BenchSuite } from './bench-types.js';

const CONFIG = {
  UserConfig: {
    Namespaces: [
      {
        Name: 'bench',
        Queues: [{ Name: 'bench-queue' }, { Name: 'bench-latency' }],
        Topics: [
          {
            Name: 'bench-topic',
            Subscriptions: [{ Name: 'one' }, { Name: 'two' }],
          },
        ],
      },
    ],
  },
};

const BODY = Buffer.alloc(1024, 7);

async function sendAll(
  client: ServiceBusClient,
  entity: string,
  total: number,
  senders: number,
  batchSize: number,
): Promise<void> {
  const perSender = Math.ceil(total / senders);
  await Promise.all(
    Array.from({ length: senders }, async (_, s) => {
      const sender = client.createSender(entity);
      for (let sent = 0; sent < perSender; sent += batchSize) {
        const count = Math.min(batchSize, perSender - sent);
        await sender.sendMessages(
          Array.from({ length: count }, (_, i) => ({ body: BODY, messageId: `${s}-${sent + i}` })),
        );
      }
      await sender.close();
    }),
  );
}

async function consume(
  client: ServiceBusClient,
  entity: string,
  subscription: string | undefined,
  expected: number,
  onMessage?: (message: ServiceBusReceivedMessage) => void,
): Promise<void> {
  const receiver = subscription ? client.createReceiver(entity, subscription) : client.createReceiver(entity);
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    const sub = receiver.subscribe(
      {
        processMessage: async (message) => {
          onMessage?.(message);
          await receiver.completeMessage(message);
          received++;
          if (received === expected) {
            resolve();
          }
        },
        processError: async (args) => {
          reject(args.error);
          return Promise.resolve();
        },
      },
      { maxConcurrentCalls: 500, autoCompleteMessages: false },
    );
    void sub;
  });
  await receiver.close();
}

interface Throughput {
  perSecond: number;
  /** Process CPU (broker + SDK, user + system) per message: comparable across machines and load. */
  cpuMicrosPerMessage: number;
}

async function throughput(
  ctx: BenchContext,
  client: ServiceBusClient,
  total: number,
  topic: boolean,
): Promise<Throughput> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const consumers = topic
    ? [consume(client, 'bench-topic', 'one', total), consume(client, 'bench-topic', 'two', total)]
    : [consume(client, 'bench-queue', undefined, total)];
  await sendAll(client, topic ? 'bench-topic' : 'bench-queue', total, 4, 100);
  ctx.log(
    `servicebus-broker: ${total} sent to ${topic ? 'topic' : 'queue'} in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  await Promise.all(consumers);
  const used = process.cpuUsage(cpu);
  return {
    perSecond: total / ((performance.now() - started) / 1000),
    cpuMicrosPerMessage: (used.user + used.system) / total,
  };
}

async function latency(client: ServiceBusClient, rate: number, seconds: number): Promise<number[]> {
  const total = rate * seconds;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const consumer = consume(client, 'bench-latency', undefined, total, (message) => {
    const start = sentAt.get(String(message.messageId));
    if (start !== undefined) {
      latencies.push(performance.now() - start);
    }
  });
  const sender = client.createSender('bench-latency');
  await sender.sendMessages({ body: BODY, messageId: 'warmup-link' });
  const pending: Promise<void>[] = [];
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const due = begin + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) {
      await new Promise((r) => setTimeout(r, wait));
    }
    const id = `lat-${i}`;
    sentAt.set(id, performance.now());
    pending.push(sender.sendMessages({ body: BODY, messageId: id }));
  }
  await Promise.all(pending);
  await consumer;
  await sender.close();
  return latencies.sort((a, b) => a - b);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export const suite: BenchSuite = {
  name: 'servicebus-broker',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-servicebus-'));
    const emulator = await startServiceBusEmulator({ port: 0, dataDir, config: CONFIG });
    const client = new ServiceBusClient(emulator.connectionString);
    const total = ctx.full ? 100_000 : 10_000;
    const rate = 500;
    try {
      const queueRate = await throughput(ctx, client, total, false);
      const topicRate = await throughput(ctx, client, total / 2, true);
      const lat = await latency(client, rate, ctx.full ? 20 : 5);
      return [
        {
          benchmark: 'queue send→receive→complete (1 KiB, batches of 100, credit 500)',
          metric: 'throughput',
          value: queueRate.perSecond,
          unit: 'msgs/s',
          note: `${total} messages, SDK and broker in one process`,
        },
        {
          benchmark: 'queue send→receive→complete (1 KiB, batches of 100, credit 500)',
          metric: 'cpu per message',
          value: queueRate.cpuMicrosPerMessage,
          unit: 'µs',
          note: 'broker + SDK sender + SDK receiver',
        },
        {
          benchmark: 'topic with 2 subscriptions, both consumed (1 KiB)',
          metric: 'throughput',
          value: topicRate.perSecond,
          unit: 'sent msgs/s',
          note: `${total / 2} messages sent, ${total} settled`,
        },
        {
          benchmark: `send→receive latency at ${rate} msgs/s (single sends)`,
          metric: 'p50',
          value: percentile(lat, 50),
          unit: 'ms',
        },
        {
          benchmark: `send→receive latency at ${rate} msgs/s (single sends)`,
          metric: 'p99',
          value: percentile(lat, 99),
          unit: 'ms',
          note: `${lat.length} messages`,
        },
      ];
    } finally {
      await client.close();
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
