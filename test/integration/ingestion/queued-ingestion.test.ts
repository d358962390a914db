/**
 * KUSTO_INGEST_MODE=queued (and managed) end to end on the embedded stack: real @azure/service-bus producer → embedded broker →
 * ingestion pipeline → azure-kusto-ingest's QueuedIngestClient → the engine's data-management endpoint (Azurite
 * blob + queue, the engine's poller) → rows. The DM's poller is held back (a poll interval of an hour after its
 * first look) so that "queued but not committed" lasts as long as the test needs; restarting the engine with the
 * default interval lets it catch up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngestionPipeline, type IngestionSettings } from '../../../src/ingestion/ingestion-factory.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { ensureBuilt } from '../../utils/ensure-built.js';
import { IngestionStack, event, waitUntil } from './ingestion-stack.js';

const HELD = { pollIntervalMs: 3_600_000 };
const EVENTS = 40;
/**
 * The crash test: one message per batch, all in flight at once. Batches form adaptively (whatever arrived while
 * the previous ingest was in flight), so only single-message batches are sure to be formed the same way by the
 * consumer that gets the redelivery — the case the ingest-by tag closes (docs/ingestion.md names the other).
 */
const CRASH_EVENTS = 8;
const ONE_PER_BATCH = {
  batch: { maxEvents: 1, maxBytes: 1_000_000, maxAgeMs: 100 },
  maxParallelIngests: CRASH_EVENTS,
};

function queuedSettings(
  stack: IngestionStack,
  pipeline: Partial<IngestionSettings['pipeline']> = {},
): IngestionSettings {
  const settings = stack.settings(pipeline);
  return { ...settings, kusto: { ...settings.kusto, mode: 'queued', statusPollMs: 200 } };
}

/** The engine's ingestion queue, as the SDK finds it (`.get ingestion resources`). */
async function readyQueue(stack: IngestionStack): Promise<QueueClient> {
  const response = await stack.kustoClient.executeMgmt('NetDefaultDB', '.get ingestion resources');
  const row = response.primaryResults[0]
    .toJSON<{ ResourceTypeName: string; StorageRoot: string }>()
    .data.find((r) => r.ResourceTypeName === 'SecuredReadyForAggregationQueue');
  return new QueueClient(row!.StorageRoot);
}

/** Status and details of every queued ingestion the DM reported, sorted by status. */
async function reportedStatuses(stack: IngestionStack): Promise<Array<{ Status: string; Details: string }>> {
  const response = await stack.kustoClient.executeMgmt('NetDefaultDB', '.get ingestion resources');
  const uri = response.primaryResults[0]
    .toJSON<{ ResourceTypeName: string; StorageRoot: string }>()
    .data.find((r) => r.ResourceTypeName === 'IngestionsStatusTable')!.StorageRoot;
  const url = new URL(uri);
  const table = new TableClient(
    `${url.origin}/${url.pathname.split('/')[1]}${url.search}`,
    url.pathname.split('/')[2],
    {
      allowInsecureConnection: true,
    },
  );
  const statuses: Array<{ Status: string; Details: string }> = [];
  for await (const entity of table.listEntities<{ Status: string; Details: string }>()) {
    statuses.push({ Status: entity.Status, Details: entity.Details });
  }
  return statuses.sort((a, b) => a.Status.localeCompare(b.Status));
}

async function queuedBlobs(queue: QueueClient): Promise<number> {
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

describe(`${IngestionPipeline.name} in queued mode`, () => {
  let stack: IngestionStack;

  beforeEach(async () => {
    stack = new IngestionStack({ lockDuration: 'PT10S', duplicateDetection: false, dataManagement: HELD });
    await stack.start();
    await stack.createTable();
  }, 120_000);

  afterEach(async () => {
    await stack.stop();
  });

  it('should settle messages only once their rows are committed, not when the blob is queued', async () => {
    const pipeline = createIngestionPipeline(
      queuedSettings(stack, { batch: { maxEvents: EVENTS, maxBytes: 1_000_000, maxAgeMs: 10_000 } }),
    );
    await pipeline.start();
    try {
      await stack.send(Array.from({ length: EVENTS }, (_, i) => event(i)));
      const queue = await readyQueue(stack);
      await waitUntil('the events are queued for ingestion', async () => (await queuedBlobs(queue)) > 0);
      // Queued, not committed: nothing is queryable and every message is still held (locked) by the pipeline.
      expect(await stack.counts()).toEqual({ rows: 0, distinct: 0 });
      expect(await stack.subscriptionEmpty()).toBe(false);
      expect(pipeline.stats().ingested).toBe(0);

      await stack.stopKusto();
      await stack.restartKusto({});
      await waitUntil('the subscription is empty', () => stack.subscriptionEmpty());
      expect(await stack.counts()).toEqual({ rows: EVENTS, distinct: EVENTS });
      expect(await stack.drainDeadLetters()).toEqual([]);
    } finally {
      await pipeline.stop();
    }
  }, 400_000);

  it('should lose and double nothing when the consumer dies between queueing and commit', async () => {
    const dist = await ensureBuilt();
    const children: ChildProcess[] = [];
    const startConsumer = (): ChildProcess => {
      const child = spawn(
        process.execPath,
        [join(import.meta.dirname, 'fixtures', 'ingestion-consumer.mjs')],
        {
          env: {
            ...process.env,
            LOG_LEVEL: 'warn',
            KQLGATE_DIST: dist,
            KQLGATE_INGEST_SETTINGS: JSON.stringify(queuedSettings(stack, ONE_PER_BATCH)),
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      children.push(child);
      return child;
    };
    try {
      await stack.send(Array.from({ length: CRASH_EVENTS }, (_, i) => event(i)));
      const queue = await readyQueue(stack);
      const first = startConsumer();
      await waitUntil(
        'the first consumer queued every batch',
        async () => (await queuedBlobs(queue)) === CRASH_EVENTS,
      );
      const exited = new Promise((resolve) => first.once('exit', resolve));
      first.kill('SIGKILL');
      await exited;

      // Its locks expire, the messages come back to a new consumer; the dedup lookup cannot see the queued rows,
      // so it queues the same batch again.
      startConsumer();
      await waitUntil(
        'the second consumer queued them again',
        async () => (await queuedBlobs(queue)) === 2 * CRASH_EVENTS,
      );
      expect(await stack.counts()).toEqual({ rows: 0, distinct: 0 });

      await stack.stopKusto();
      await stack.restartKusto({});
      await waitUntil('the subscription is empty', () => stack.subscriptionEmpty());
      await waitUntil('every queued blob is processed', async () => (await queuedBlobs(queue)) === 0);
      expect(await stack.counts()).toEqual({ rows: CRASH_EVENTS, distinct: CRASH_EVENTS });
      expect(await stack.drainDeadLetters()).toEqual([]);
      // Each second blob committed nothing: the DM skipped it by its batch's ingest-by tag.
      const statuses = await reportedStatuses(stack);
      expect(statuses.map((s) => s.Status)).toEqual([
        ...Array<string>(CRASH_EVENTS).fill('Skipped'),
        ...Array<string>(CRASH_EVENTS).fill('Succeeded'),
      ]);
      expect(statuses.filter((s) => s.Status === 'Succeeded').map((s) => s.Details)).toEqual(
        Array<string>(CRASH_EVENTS).fill('1 rows ingested.'),
      );
    } finally {
      for (const child of children) {
        child.kill('SIGKILL');
      }
    }
  }, 300_000);

  it('should stream batches first in managed mode, committed without the queued path', async () => {
    const settings = queuedSettings(stack);
    const pipeline = createIngestionPipeline({ ...settings, kusto: { ...settings.kusto, mode: 'managed' } });
    await pipeline.start();
    try {
      await stack.send(Array.from({ length: EVENTS }, (_, i) => event(i)));
      // The DM's poller is held: rows can only have come through streaming ingestion.
      await waitUntil('the subscription is empty', () => stack.subscriptionEmpty());
      expect(await stack.counts()).toEqual({ rows: EVENTS, distinct: EVENTS });
      expect(await queuedBlobs(await readyQueue(stack))).toBe(0);
    } finally {
      await pipeline.stop();
    }
  }, 400_000);
});
