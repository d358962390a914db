/**
 * Ingestion end to end: the real @azure/service-bus sender → embedded broker → IngestionPipeline (real SDK
 * receiver, azure-kusto-ingest streaming client, KQL dedup lookups) → embedded engine, all in this process on
 * 127.0.0.1.
 *
 * - sustained throughput: N events published as fast as the sender goes, timed from the first send until every
 *   event is ingested and settled (plus the sender's own rate, which bounds it);
 * - freshness at fixed rates (100, 1,000 and 5,000 events/s): producer send time (in the body) → ingest
 *   acknowledged (streaming ingestion: durable and queryable), p50/p95/p99, with the production batch limits;
 * - where the time goes: median ingest request and dedup lookup durations, mean batch size.
 */
import { ServiceBusClient, type ServiceBusMessage, type ServiceBusSender } from '@azure/service-bus';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { startKustoEmulator } from '@kqlgate/kusto-emulator';
import type { startServiceBusEmulator as StartServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import { servicebusEntitiesFile } from '../../src/config/servicebus-entities-file.js';
import { DEFAULT_BACKOFF } from '../../src/ingestion/backoff.js';
import { createIngestionPipeline } from '../../src/ingestion/ingestion-factory.js';
import type { DedupMode, IngestionPipeline } from '../../src/ingestion/ingestion-pipeline.js';
import type { IngestReceipt, IngestSink, IngestTarget } from '../../src/ingestion/kusto-ingest-sink.js';
import type { MessageIdIndex } from '../../src/ingestion/message-id-index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext, BenchRow, BenchSuite } from '../bench-types.js';

const TOPIC = 'oltp-events';
const SUBSCRIPTION = 'analytics';
const DATABASE = 'analytics';
const TABLE = 'BenchEvents';

interface Timings {
  ingestMs: number[];
  lookupMs: number[];
  batchSizes: number[];
  freshnessMs: number[];
  /** Per event, where its send → queryable went (freshness phases: events carrying `sentAt`). */
  stages: Record<Stage, number[]>;
  /** Message id → when its batch's dedup lookup started. */
  lookupStartedAt: Map<string, number>;
}

/**
 * One event's journey, from the timestamps on hand: `sentAt` (producer, before the send call), `_enqueuedTime`
 * (the broker's, stamped when it stores the message), the batch's dedup lookup start, the ingest start and its
 * acknowledgement (streaming ingestion: committed and queryable).
 */
const STAGES = {
  producer: 'producer send → broker stored',
  delivery: 'broker stored → batch out (delivery, batching)',
  lookup: 'batch out → ingest sent (dedup lookup)',
  ingest: 'ingest sent → committed',
} as const;
type Stage = keyof typeof STAGES;

function newTimings(): Timings {
  return {
    ingestMs: [],
    lookupMs: [],
    batchSizes: [],
    freshnessMs: [],
    stages: { producer: [], delivery: [], lookup: [], ingest: [] },
    lookupStartedAt: new Map(),
  };
}

/** Records how long each ingest takes and, from the `sentAt` the producer put in each body, the freshness. */
class TimedSink implements IngestSink {
  constructor(
    private readonly inner: IngestSink,
    private readonly timings: Timings,
  ) {}

  get ingestByTagBudgetBytes(): number | undefined {
    return this.inner.ingestByTagBudgetBytes;
  }

  async ingest(target: IngestTarget, payload: Buffer, drain?: AbortSignal): Promise<IngestReceipt> {
    const started = performance.now();
    const startedAt = Date.now();
    const receipt = await this.inner.ingest(target, payload, drain);
    const now = Date.now();
    this.timings.ingestMs.push(performance.now() - started);
    const lines = payload.toString('utf8').trimEnd().split('\n');
    this.timings.batchSizes.push(lines.length);
    const { stages, lookupStartedAt } = this.timings;
    for (const line of lines) {
      const event = JSON.parse(line) as { sentAt?: number; messageId?: string; _enqueuedTime?: string };
      if (typeof event.sentAt !== 'number') {
        continue;
      }
      this.timings.freshnessMs.push(now - event.sentAt);
      const enqueued = event._enqueuedTime === undefined ? Number.NaN : Date.parse(event._enqueuedTime);
      const out = lookupStartedAt.get(event.messageId ?? '') ?? startedAt;
      stages.producer.push(enqueued - event.sentAt);
      stages.delivery.push(out - enqueued);
      stages.lookup.push(startedAt - out);
      stages.ingest.push(now - startedAt);
    }
    return receipt;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

class TimedIndex implements MessageIdIndex {
  constructor(
    private readonly inner: MessageIdIndex,
    private readonly timings: Timings,
  ) {}

  async existing(
    database: string,
    table: string,
    column: string,
    ids: readonly string[],
  ): Promise<Set<string>> {
    const started = performance.now();
    const startedAt = Date.now();
    for (const id of ids) {
      this.timings.lookupStartedAt.set(id, startedAt);
    }
    try {
      return await this.inner.existing(database, table, column, ids);
    } finally {
      this.timings.lookupMs.push(performance.now() - started);
    }
  }

  columnsOf(database: string, tables: readonly string[]): Promise<Map<string, string[]>> {
    return this.inner.columnsOf(database, tables);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The broker under test: this build's, or another build's (BENCH_SERVICEBUS_MODULE, for a before/after). */
async function loadBroker(): Promise<typeof StartServiceBusEmulator> {
  const override = process.env.BENCH_SERVICEBUS_MODULE;
  const mod = (await import(override ? pathToFileURL(override).href : '@kqlgate/servicebus-emulator')) as {
    startServiceBusEmulator: typeof StartServiceBusEmulator;
  };
  return mod.startServiceBusEmulator;
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function eventsFrom(start: number, count: number, stamp: boolean): ServiceBusMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    messageId: `bench-${start + i}`,
    body: { seq: start + i, payload: 'p'.repeat(100), ...(stamp ? { sentAt: Date.now() } : {}) },
    applicationProperties: { Table: TABLE, IngestionMappingReference: `${TABLE}_json` },
  }));
}

async function sendAll(sender: ServiceBusSender, messages: ServiceBusMessage[]): Promise<void> {
  let batch = await sender.createMessageBatch();
  for (const message of messages) {
    if (!batch.tryAddMessage(message)) {
      await sender.sendMessages(batch);
      batch = await sender.createMessageBatch();
      batch.tryAddMessage(message);
    }
  }
  if (batch.count > 0) {
    await sender.sendMessages(batch);
  }
}

/** A producer as applications hold one: its link attached once, before the clock starts. */
async function withSender(
  client: ServiceBusClient,
  use: (sender: ServiceBusSender) => Promise<void>,
): Promise<void> {
  const sender = client.createSender(TOPIC);
  try {
    // Creating a batch attaches the link (and negotiates its token), which a long-lived producer does once.
    await sender.createMessageBatch();
    await use(sender);
  } finally {
    await sender.close();
  }
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

export const suite: BenchSuite = {
  name: 'ingestion',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    // Sizes keep the suite under two minutes on a shared 2-core machine; BENCH_FULL=1 runs the larger ones.
    const throughputEvents = ctx.full ? 20_000 : 4_000;
    const freshnessSeconds = ctx.full ? 10 : 3;
    const dirs = [
      await mkdtemp(join(tmpdir(), 'kqlgate-bench-kusto-')),
      await mkdtemp(join(tmpdir(), 'kqlgate-bench-sb-')),
    ];
    const kusto = await startKustoEmulator({ port: 0, dataDir: dirs[0], databases: [DATABASE] });
    const broker = await (
      await loadBroker()
    )({
      port: 0,
      dataDir: dirs[1],
      configFile: servicebusEntitiesFile(),
    });
    const kustoClient = new Client(new KustoConnectionStringBuilder(kusto.url));
    const producer = new ServiceBusClient(broker.connectionString);
    const rows: BenchRow[] = [];
    try {
      await kustoClient.execute(
        DATABASE,
        `.create-merge table ${TABLE} (MessageId: string, Seq: long, SentAt: long, Payload: string)`,
      );
      const mapping = [
        { column: 'MessageId', Properties: { Path: '$.messageId' } },
        { column: 'Seq', Properties: { Path: '$.seq' } },
        { column: 'SentAt', Properties: { Path: '$.sentAt' } },
        { column: 'Payload', Properties: { Path: '$.payload' } },
      ];
      await kustoClient.execute(
        DATABASE,
        `.create-or-alter table ${TABLE} ingestion json mapping "${TABLE}_json" '${JSON.stringify(mapping)}'`,
      );

      const runPhase = async (
        phase: (pipeline: IngestionPipeline, timings: Timings) => Promise<void>,
        dedup: DedupMode = 'table',
      ): Promise<Timings> => {
        const timings = newTimings();
        const pipeline = createIngestionPipeline(
          {
            serviceBus: {
              connectionString: broker.connectionString,
              topic: TOPIC,
              subscription: SUBSCRIPTION,
              maxConcurrentCalls: 500,
            },
            kusto: { clusterUrl: kusto.url, mode: 'streaming' },
            routes: { property: 'eventType', routes: {} },
            pipeline: {
              database: DATABASE,
              batch: { maxEvents: 2000, maxBytes: 4_000_000, maxAgeMs: 200 },
              maxInFlight: 1500,
              maxParallelIngests: 4,
              dedup,
              dedupColumn: 'MessageId',
              backoff: DEFAULT_BACKOFF,
              drainTimeoutMs: 10_000,
              unreachableThresholdMs: 30_000,
            },
          },
          {
            observe: {
              sink: (sink) => new TimedSink(sink, timings),
              index: (index) => new TimedIndex(index, timings),
            },
          },
        );
        await pipeline.start();
        try {
          await phase(pipeline, timings);
        } finally {
          await pipeline.stop();
        }
        return timings;
      };

      // Warm-up: compiler load, first connections.
      await runPhase(async (pipeline) => {
        await withSender(producer, (sender) => sendAll(sender, eventsFrom(1_000_000, 50, false)));
        await until(() => pipeline.stats().ingested >= 50, 30_000);
      });

      // Throughput of the consumer side: publish a backlog first (that measures the SDK sender → broker), then
      // time a fresh pipeline draining it into the engine, once per dedup mode.
      for (const [mode, base] of [
        ['table', 0],
        ['redelivered', 5_000_000],
      ] as const) {
        ctx.log(`throughput: backlog of ${throughputEvents} events, INGEST_DEDUP=${mode}`);
        let sendMs = 0;
        await withSender(producer, async (sender) => {
          const sendStarted = performance.now();
          await sendAll(sender, eventsFrom(base, throughputEvents, false));
          sendMs = performance.now() - sendStarted;
        });
        let drainMs = 0;
        let completed = false;
        const timings = await runPhase(async (pipeline) => {
          const started = performance.now();
          completed = await until(
            () => pipeline.stats().ingested + pipeline.stats().duplicates >= throughputEvents,
            90_000,
          );
          drainMs = performance.now() - started;
        }, mode);
        if (mode === 'table') {
          rows.push({
            benchmark: 'sdk sender → broker (batches)',
            metric: 'throughput',
            value: round((throughputEvents / sendMs) * 1000, 0),
            unit: 'events/s',
          });
        }
        rows.push(
          {
            benchmark: `broker → ingestion → engine (dedup ${mode})`,
            metric: 'throughput',
            value: round((throughputEvents / drainMs) * 1000, 0),
            unit: 'events/s',
            note: completed ? undefined : 'did not complete within 90 s',
          },
          {
            benchmark: `  ingest request (dedup ${mode})`,
            metric: 'p50',
            value: round(percentile(timings.ingestMs, 50)),
            unit: 'ms',
          },
          {
            benchmark: `  batch size (dedup ${mode})`,
            metric: 'mean',
            value: round(
              timings.batchSizes.reduce((a, b) => a + b, 0) / Math.max(1, timings.batchSizes.length),
            ),
            unit: 'events',
          },
        );
        if (timings.lookupMs.length > 0) {
          rows.push({
            benchmark: `  dedup lookup (dedup ${mode})`,
            metric: 'p50',
            value: round(percentile(timings.lookupMs, 50)),
            unit: 'ms',
          });
        }
      }

      // Freshness at a fixed rate: a tenth of a second's events every 100 ms, on an absolute schedule.
      for (const [mode, rate, base] of [
        ['table', 100, 7_000_000],
        ['table', 1_000, 2_000_000],
        ['table', 5_000, 6_000_000],
        ['redelivered', 1_000, 3_000_000],
      ] as const) {
        const total = Math.round(freshnessSeconds * rate);
        const perTick = rate / 10;
        ctx.log(`freshness: ${rate} events/s for ${freshnessSeconds} s, INGEST_DEDUP=${mode}`);
        const freshness = await runPhase(async (pipeline) => {
          await withSender(producer, async (sender) => {
            const started = Date.now();
            for (let sent = 0; sent < total; sent += perTick) {
              const due = started + (sent / perTick) * 100;
              await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
              await sendAll(sender, eventsFrom(base + sent, perTick, true));
            }
          });
          await until(() => pipeline.stats().ingested >= total, 60_000);
        }, mode);
        const label = `freshness at ${rate.toLocaleString('en-US')} events/s (dedup ${mode})`;
        const build = process.env.BENCH_SERVICEBUS_MODULE;
        for (const p of [50, 95, 99]) {
          rows.push({
            benchmark: label,
            metric: `p${p}`,
            value: round(percentile(freshness.freshnessMs, p)),
            unit: 'ms',
            note: build === undefined ? undefined : `broker build ${build}`,
          });
        }
        rows.push(
          {
            benchmark: `  ingest request (${rate}/s, dedup ${mode})`,
            metric: 'p50',
            value: round(percentile(freshness.ingestMs, 50)),
            unit: 'ms',
          },
          {
            benchmark: `  batch size (${rate}/s, dedup ${mode})`,
            metric: 'mean',
            value: round(
              freshness.batchSizes.reduce((a, b) => a + b, 0) / Math.max(1, freshness.batchSizes.length),
            ),
            unit: 'events',
          },
        );
        if (freshness.lookupMs.length > 0) {
          rows.push({
            benchmark: `  dedup lookup (${rate}/s, dedup ${mode})`,
            metric: 'p50',
            value: round(percentile(freshness.lookupMs, 50)),
            unit: 'ms',
          });
        }
        for (const stage of Object.keys(STAGES) as Stage[]) {
          for (const p of [50, 99]) {
            rows.push({
              benchmark: `  ${STAGES[stage]} (${rate}/s, dedup ${mode})`,
              metric: `p${p}`,
              value: round(percentile(freshness.stages[stage], p)),
              unit: 'ms',
            });
          }
        }
      }
    } finally {
      await producer.close();
      kustoClient.close();
      await broker.close();
      await kusto.close();
      for (const dir of dirs) {
        await rm(dir, { recursive: true, force: true });
      }
    }
    return rows;
  },
};
