/**
 * Embedded Service Bus broker under the real `@azure/service-bus` SDK. The broker runs in this process, the SDK
 * client in its own (servicebus-sdk-client.ts), so broker CPU and client CPU are measured apart.
 *  - throughput: 1 KiB messages, sent in batches of 100 by 4 concurrent senders while one `subscribe()` receiver
 *    (credit 500) receives and completes each — settled msgs/s from the client's start to its last complete;
 *  - the same through a topic with two subscriptions (every message stored and settled twice);
 *  - latency: single sends at a steady rate (500 and 1,000 msgs/s); send-call start → receive handler, p50/p99.
 *
 * `BENCH_SERVICEBUS_MODULE=<path to a build's dist/index.js>` runs the same suite against another build of the
 * broker (e.g. the previous commit's), so that before/after figures come from the same run on the same machine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { startServiceBusEmulator as StartServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import type { BenchContext, BenchRow, BenchSuite } from './bench-types.js';
import type { SdkClientResult, SdkClientTask } from './servicebus-sdk-client.js';

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

const CLIENT_SCRIPT = fileURLToPath(new URL('./servicebus-sdk-client.js', import.meta.url));

interface ClientRun {
  result: SdkClientResult;
  /** This process's CPU (the broker's) between the client's start and its result. */
  brokerCpuMs: number;
}

/** Runs one task in a fresh SDK client process; the clock starts once the client is connected. */
async function runClient(task: SdkClientTask): Promise<ClientRun> {
  const child = spawn(process.execPath, [CLIENT_SCRIPT, JSON.stringify(task)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let brokerCpu: NodeJS.CpuUsage | undefined;
  let run: ClientRun | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    if (line === 'ready') {
      brokerCpu = process.cpuUsage();
      child.stdin.write('go\n');
    } else if (line.startsWith('{')) {
      const used = process.cpuUsage(brokerCpu);
      run = { result: JSON.parse(line) as SdkClientResult, brokerCpuMs: (used.user + used.system) / 1000 };
    }
  }
  const code = await exited;
  if (!run) {
    throw new Error(
      `servicebus-broker bench: the SDK client (${task.kind}) exited with ${code} and no result`,
    );
  }
  return run;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function loadBroker(): Promise<typeof StartServiceBusEmulator> {
  const override = process.env.BENCH_SERVICEBUS_MODULE;
  const mod = (await import(override ? pathToFileURL(override).href : '@kqlgate/servicebus-emulator')) as {
    startServiceBusEmulator: typeof StartServiceBusEmulator;
  };
  return mod.startServiceBusEmulator;
}

export const suite: BenchSuite = {
  name: 'servicebus-broker',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-servicebus-'));
    const start = await loadBroker();
    const emulator = await start({ port: 0, dataDir, config: CONFIG });
    const connectionString = emulator.connectionString;
    const total = ctx.full ? 100_000 : 20_000;
    const seconds = ctx.full ? 20 : 5;
    const build = process.env.BENCH_SERVICEBUS_MODULE
      ? ` (build ${process.env.BENCH_SERVICEBUS_MODULE})`
      : '';
    const throughputTask = (entity: string, subscriptions: string[], count: number): SdkClientTask => ({
      kind: 'throughput',
      connectionString,
      entity,
      subscriptions,
      total: count,
      senders: 4,
      batchSize: 100,
      maxConcurrentCalls: 500,
    });
    try {
      // Warm-up: JIT and SQLite pages, not reported.
      await runClient(throughputTask('bench-queue', [], 2_000));
      const queue = await runClient(throughputTask('bench-queue', [], total));
      ctx.log(`servicebus-broker: queue ${total} in ${(queue.result.elapsedMs / 1000).toFixed(1)} s`);
      const topic = await runClient(throughputTask('bench-topic', ['one', 'two'], total / 2));
      const latencyRows: BenchRow[] = [];
      for (const rate of [500, 1_000]) {
        const run = await runClient({
          kind: 'latency',
          connectionString,
          entity: 'bench-latency',
          rate,
          seconds,
        });
        const lat = run.result.latencies ?? [];
        const benchmark = `send→receive latency at ${rate} msgs/s (single sends, SDK in its own process)`;
        latencyRows.push(
          { benchmark, metric: 'p50', value: percentile(lat, 50), unit: 'ms' },
          {
            benchmark,
            metric: 'p99',
            value: percentile(lat, 99),
            unit: 'ms',
            note: `${lat.length} messages${rate === 1_000 ? '; goal ≤ 5 ms' : ''}${build}`,
          },
          {
            benchmark,
            metric: 'broker cpu',
            value: run.brokerCpuMs / (run.result.elapsedMs / 1000) / 10,
            unit: '% of a core',
          },
          {
            benchmark,
            metric: 'sdk client cpu',
            value: run.result.cpuMs / (run.result.elapsedMs / 1000) / 10,
            unit: '% of a core',
          },
        );
      }
      const queueBenchmark =
        'queue send→receive→complete (1 KiB, batches of 100, credit 500, SDK in its own process)';
      return [
        {
          benchmark: queueBenchmark,
          metric: 'throughput',
          value: total / (queue.result.elapsedMs / 1000),
          unit: 'settled msgs/s',
          note: `${total} messages; goal ≥ 10,000${build}`,
        },
        {
          benchmark: queueBenchmark,
          metric: 'broker cpu per message',
          value: (queue.brokerCpuMs * 1000) / total,
          unit: 'µs',
        },
        {
          benchmark: queueBenchmark,
          metric: 'sdk client cpu per message',
          value: (queue.result.cpuMs * 1000) / total,
          unit: 'µs',
          note: 'sender + receiver, one process',
        },
        {
          benchmark: 'topic with 2 subscriptions, both consumed (1 KiB)',
          metric: 'throughput',
          value: total / 2 / (topic.result.elapsedMs / 1000),
          unit: 'sent msgs/s',
          note: `${total / 2} messages sent, ${total} settled`,
        },
        {
          benchmark: 'topic with 2 subscriptions, both consumed (1 KiB)',
          metric: 'broker cpu per settled message',
          value: (topic.brokerCpuMs * 1000) / total,
          unit: 'µs',
        },
        ...latencyRows,
      ];
    } finally {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
