/**
 * The `@azure/service-bus` SDK side of the broker benchmark, run as its own process so that the broker's CPU and
 * the client's are measured apart (as under `npm start`, where the app and the broker are separate parts).
 *
 * Started with one JSON argument (`SdkClientTask`); prints `ready` once connected, starts on a line on stdin,
 * and prints one JSON line (`SdkClientResult`) when done.
 *  - throughput: `senders` concurrent senders send `total` 1 KiB messages in batches of `batchSize`, while one
 *    `subscribe()` receiver (credit `maxConcurrentCalls`) receives and completes each;
 *  - latency: single sends at a steady `rate`, send-call start → receive handler, every message completed.
 */
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

export type SdkClientTask =
  | {
      kind: 'throughput';
      connectionString: string;
      entity: string;
      subscriptions: string[];
      total: number;
      senders: number;
      batchSize: number;
      maxConcurrentCalls: number;
    }
  | { kind: 'latency'; connectionString: string; entity: string; rate: number; seconds: number };

export interface SdkClientResult {
  elapsedMs: number;
  /** Client process CPU (user + system) while the task ran. */
  cpuMs: number;
  /** Latency task: send → receive per message, ms, sorted. */
  latencies?: number[];
}

const BODY = Buffer.alloc(1024, 7);

async function consume(
  client: ServiceBusClient,
  entity: string,
  subscription: string | undefined,
  expected: number,
  maxConcurrentCalls: number,
  onMessage?: (message: ServiceBusReceivedMessage) => void,
): Promise<void> {
  const receiver = subscription ? client.createReceiver(entity, subscription) : client.createReceiver(entity);
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    receiver.subscribe(
      {
        processMessage: async (message) => {
          onMessage?.(message);
          await receiver.completeMessage(message);
          received++;
          if (received === expected) {
            resolve();
          }
        },
        processError: (args) => {
          reject(args.error);
          return Promise.resolve();
        },
      },
      { maxConcurrentCalls, autoCompleteMessages: false },
    );
  });
  await receiver.close();
}

async function throughput(
  client: ServiceBusClient,
  task: Extract<SdkClientTask, { kind: 'throughput' }>,
): Promise<void> {
  const senders = await Promise.all(
    Array.from({ length: task.senders }, async () => {
      const sender = client.createSender(task.entity);
      // Opens the link before the clock starts.
      await sender.sendMessages([]).catch(() => undefined);
      return sender;
    }),
  );
  await waitForStart();
  const consumers =
    task.subscriptions.length === 0
      ? [consume(client, task.entity, undefined, task.total, task.maxConcurrentCalls)]
      : task.subscriptions.map((s) => consume(client, task.entity, s, task.total, task.maxConcurrentCalls));
  const perSender = Math.ceil(task.total / task.senders);
  await Promise.all(
    senders.map(async (sender, s) => {
      for (let sent = 0; sent < perSender; sent += task.batchSize) {
        const count = Math.min(task.batchSize, perSender - sent);
        await sender.sendMessages(
          Array.from({ length: count }, (_, i) => ({ body: BODY, messageId: `${s}-${sent + i}` })),
        );
      }
      await sender.close();
    }),
  );
  await Promise.all(consumers);
}

async function latency(
  client: ServiceBusClient,
  task: Extract<SdkClientTask, { kind: 'latency' }>,
): Promise<number[]> {
  const total = task.rate * task.seconds;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const sender = client.createSender(task.entity);
  await sender.sendMessages({ body: BODY, messageId: 'warmup-link' });
  const consumer = consume(client, task.entity, undefined, total + 1, 100, (message) => {
    const start = sentAt.get(String(message.messageId));
    if (start !== undefined) {
      latencies.push(performance.now() - start);
    }
  });
  await waitForStart();
  const pending: Promise<void>[] = [];
  const begin = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = begin + (i * 1000) / task.rate - performance.now();
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

let go: () => void = () => undefined;
const goSignal = new Promise<void>((resolve) => (go = resolve));
let clock: { at: number; cpu: NodeJS.CpuUsage } | undefined;

/** Tells the bench the client is connected and waits for its go; the clock starts then. */
async function waitForStart(): Promise<void> {
  process.stdout.write('ready\n');
  await goSignal;
  clock = { at: performance.now(), cpu: process.cpuUsage() };
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '') as SdkClientTask;
  createInterface({ input: process.stdin }).once('line', () => go());
  const client = new ServiceBusClient(task.connectionString);
  const latencies =
    task.kind === 'latency' ? await latency(client, task) : (await throughput(client, task), undefined);
  const elapsedMs = performance.now() - (clock?.at ?? 0);
  const cpu = process.cpuUsage(clock?.cpu);
  await client.close();
  const result: SdkClientResult = { elapsedMs, cpuMs: (cpu.user + cpu.system) / 1000, latencies };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `servicebus-sdk-client: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
