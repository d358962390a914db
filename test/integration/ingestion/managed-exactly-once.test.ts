/**
 * KUSTO_INGEST_MODE=managed at volume, with both of ManagedStreamingIngestClient's fallbacks to queued ingestion:
 * batches over 4 MB (big events, a batch byte limit above the streaming limit) and streaming refused with 429 (the
 * engine's streaming capacity, maxConcurrentStreamingIngests = 1, taken by another client's upload). 10,000 events
 * through the real SDK sender, the ingestion child process SIGKILLed mid-run and restarted, a full producer resend:
 * every event exactly once, and kqlgate_ingestion_batches_total shows both fallbacks.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { totalPaths } from './consumer-process.js';
import { DATABASE, IngestionStack, event, waitUntil } from './ingestion-stack.js';
import { ingestAcrossKillAndResend } from './kill-and-resend.js';

const TOTAL = 10_000;
/** The first 1,600 events: ~12 KB rows, so that a full batch of them (MAX_EVENTS) is over 4 MB. */
const BIG_EVENTS = 1_600;
const BIG = 'x'.repeat(12_000);
/**
 * A queued ingestion carries two tags per message in its queue message, which Azure Storage (and Azurite) caps at
 * 64 KB: 400 messages make about 55 KB.
 */
const MAX_EVENTS = 400;
const NEIGHBOUR = 'Neighbour';

/**
 * Another client's streaming ingestion that is still sending its body: it holds the engine's only streaming slot
 * until the returned function ends it. Taken once a probe (a table that does not exist, so it stores nothing) is
 * answered 429 rather than 400.
 */
async function takeStreamingCapacity(stack: IngestionStack): Promise<() => Promise<void>> {
  const ingestUrl = (table: string): URL =>
    new URL(`/v1/rest/ingest/${DATABASE}/${table}?streamFormat=json`, stack.kusto.url);
  const upload = request(ingestUrl(NEIGHBOUR), { method: 'POST' });
  const answered = new Promise<number>((resolve, reject) => {
    upload.once('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    upload.once('error', reject);
  });
  upload.write('{"messageId":"neighbour-1"}\n');
  await waitUntil('the neighbour holds the streaming capacity', async () => {
    const probe = await fetch(ingestUrl('NoSuchTable'), { method: 'POST', body: '{}' });
    await probe.arrayBuffer();
    return probe.status === 429;
  });
  let freed: Promise<number> | undefined;
  return async () => {
    if (freed === undefined) {
      upload.end();
      freed = answered;
    }
    expect(await freed).toBe(200);
  };
}

describe(`${IngestionPipeline.name} in managed mode at volume`, () => {
  const stack = new IngestionStack({
    lockDuration: 'PT10S',
    duplicateDetection: false,
    dataManagement: {},
    maxConcurrentStreamingIngests: 1,
  });

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
    await stack.createTable(NEIGHBOUR, `${NEIGHBOUR}_json`);
  }, 120_000);

  let freeCapacity: (() => Promise<void>) | undefined;

  afterAll(async () => {
    // A failed run may still hold the capacity: the engine's close waits for that upload.
    await freeCapacity?.();
    await stack.stop();
  });

  it('should land 10,000 events exactly once across a SIGKILL and a full resend, falling back over 4 MB and on 429', async () => {
    // Full batches of big events are over 4 MB (the pipeline's byte limit set above it, the age limit long enough
    // for them to fill from the backlog). At most 1,000 in flight: what the first consumer held comes back
    // redelivered and is queued again, slower than streaming.
    // Through the validated configuration: managed mode accepts batches over 4 MB (queued ingestion's limit).
    const config = loadConfig({
      KUSTO_INGEST_MODE: 'managed',
      INGEST_BATCH_MAX_EVENTS: String(MAX_EVENTS),
      INGEST_BATCH_MAX_BYTES: '8000000',
      INGEST_BATCH_MAX_AGE_MS: '10000',
      INGEST_MAX_IN_FLIGHT: '1000',
    });
    const settings = stack.settings(
      {
        batch: {
          maxEvents: config.INGEST_BATCH_MAX_EVENTS,
          maxBytes: config.INGEST_BATCH_MAX_BYTES,
          maxAgeMs: config.INGEST_BATCH_MAX_AGE_MS,
        },
        maxInFlight: config.INGEST_MAX_IN_FLIGHT,
      },
      { mode: config.KUSTO_INGEST_MODE, statusPollMs: 200 },
    );
    const events = Array.from({ length: TOTAL }, (_, i) =>
      i < BIG_EVENTS ? event(i, { body: { seq: i, kind: 'good', payload: `${BIG}${i}` } }) : event(i),
    );
    freeCapacity = await takeStreamingCapacity(stack);
    const consumers = await ingestAcrossKillAndResend(stack, settings, events, {
      // Every streaming attempt is throttled until the neighbour is done: kill once both fallbacks happened.
      killWhen: (consumer) =>
        (consumer.paths.queued_over_4mb ?? 0) > 0 &&
        (consumer.paths.queued_after_streaming_failures ?? 0) > 0,
      afterKill: freeCapacity,
    });
    const paths = totalPaths(consumers);
    process.stderr.write(`[managed-exactly-once] batches per path: ${JSON.stringify(paths)}\n`);
    expect(paths.queued_over_4mb).toBeGreaterThan(0);
    expect(paths.queued_after_streaming_failures).toBeGreaterThan(0);
    // With the capacity free again, the second consumer streamed.
    expect(paths.streaming).toBeGreaterThan(0);
  }, 400_000);
});
