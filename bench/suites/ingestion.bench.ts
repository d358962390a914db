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
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { startKustoEmulator } from '@kqlgate/kusto-emulator';
import { startServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import { servicebusEntitiesFile } from '../../src/config/servicebus-entities-file.js';
import { DEFAULT_BACKOFF } from '../../src/ingestion/backoff.js';
import { createIngestionPipeline } from '../../src/ingestion/ingestion-factory.js';
import type { DedupMode, IngestionPipeline } from '../../src/ingestion/ingestion-pipeline.js';
import type { IngestSink, IngestTarget } from '../../src/ingestion/kusto-ingest-sink.js';
import type { MessageIdIndex } from '../../src/ingestion/message-id-index.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

/** Records how long each ingest takes and, from the `sentAt` the producer put in each body, the freshness. */
class TimedSink implements IngestSink {
  constructor(
    private readonly inner: IngestSink,
    private readonly timings: Timings,
  ) {}

  async ingest(target: IngestTarget, payload: Buffer): Promise<void> {
    const started = performance.now();
    await this.inner.ingest(target, payload);
    const now = Date.now();
    this.timings.ingestMs.push(performance.now() - started);
    const lines = payload.toString('utf8').trimEnd().split('\n');
    this.timings.batchSizes.push(lines.length);
    for (const line of lines) {
      const sentAt = (JSON.parse(line) as { sentAt?: number }).sentAt;
      if (typeof sentAt === 'number') {
        this.timings.freshnessMs.push(now - sentAt);
      }
    }
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

async function sendAll(client: ServiceBusClient, messages: ServiceBusMessage[]): Promise<void> {
  const sender = client.createSender(TOPIC);
  try {
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
    const broker = await startServiceBusEmulator({
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
        const timings: Timings = { ingestMs: [], lookupMs: [], batchSizes: [], freshnessMs: [] };
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
        await sendAll(producer, eventsFrom(1_000_000, 50, false));
        await until(() => pipeline.stats().ingested >= 50, 30_000);
      });

      // Throughput of the consumer side: publish a backlog first (that measures the SDK sender → broker), then
      // time a fresh pipeline draining it into the engine, once per dedup mode.
      for (const [mode, base] of [
        ['table', 0],
        ['redelivered', 5_000_000],
      ] as const) {
        ctx.log(`throughput: backlog of ${throughputEvents} events, INGEST_DEDUP=${mode}`);
        const sendStarted = performance.now();
        await sendAll(producer, eventsFrom(base, throughputEvents, false));
        const sendMs = performance.now() - sendStarted;
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
          const started = Date.now();
          for (let sent = 0; sent < total; sent += perTick) {
            const due = started + (sent / perTick) * 100;
            await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
            await sendAll(producer, eventsFrom(base + sent, perTick, true));
          }
          await until(() => pipeline.stats().ingested >= total, 60_000);
        }, mode);
        const label = `freshness at ${rate.toLocaleString('en-US')} events/s (dedup ${mode})`;
        for (const p of [50, 95, 99]) {
          rows.push({
            benchmark: label,
            metric: `p${p}`,
            value: round(percentile(freshness.freshnessMs, p)),
            unit: 'ms',
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
