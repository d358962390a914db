/**
 * KUSTO_INGEST_MODE=queued at volume: 10,000 events through the real SDK sender → embedded broker → ingestion (a
 * child process, SIGKILLed mid-run and restarted) → QueuedIngestClient → the engine's data-management endpoint
 * (Azurite blob + queue, its poller) → rows, then a full producer resend: every event exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { totalPaths } from './consumer-process.js';
import { IngestionStack, event } from './ingestion-stack.js';
import { ingestAcrossKillAndResend } from './kill-and-resend.js';

const TOTAL = 10_000;

describe(`${IngestionPipeline.name} in queued mode at volume`, () => {
  const stack = new IngestionStack({ lockDuration: 'PT10S', duplicateDetection: false, dataManagement: {} });

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
  }, 120_000);

  afterAll(async () => {
    await stack.stop();
  });

  it('should land 10,000 events exactly once across a SIGKILL and a full resend', async () => {
    // At most 400 messages a batch: a queued ingestion's queue message carries two tags per message, and Azure
    // Storage (and Azurite) caps a queue message at 64 KB.
    const settings = stack.settings(
      { batch: { maxEvents: 400, maxBytes: 1_000_000, maxAgeMs: 200 } },
      { mode: 'queued', statusPollMs: 200 },
    );
    const consumers = await ingestAcrossKillAndResend(
      stack,
      settings,
      Array.from({ length: TOTAL }, (_, i) => event(i)),
      { killWhen: (consumer) => (consumer.stats?.ingested ?? 0) >= 2_000 },
    );
    expect(Object.keys(totalPaths(consumers))).toEqual(['queued']);
  }, 400_000);
});
