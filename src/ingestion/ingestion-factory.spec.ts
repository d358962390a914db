import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from './backoff.js';
import { createIngestionPipeline, type IngestionSettings } from './ingestion-factory.js';

/** Settings that build every client without connecting anywhere (the SDK clients connect on first use). */
function settings(dedup: IngestionSettings['pipeline']['dedup']): IngestionSettings {
  return {
    serviceBus: {
      connectionString:
        'Endpoint=sb://127.0.0.1:1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true',
      topic: 't',
      subscription: 's',
      maxConcurrentCalls: 10,
    },
    kusto: { clusterUrl: 'http://127.0.0.1:1', mode: 'streaming' },
    routes: { property: 'eventType', routes: {} },
    pipeline: {
      database: 'db',
      batch: { maxEvents: 10, maxBytes: 1000, maxAgeMs: 10 },
      maxInFlight: 10,
      maxParallelIngests: 1,
      dedup,
      dedupColumn: 'MessageId',
      backoff: DEFAULT_BACKOFF,
      drainTimeoutMs: 1000,
      unreachableThresholdMs: 1000,
    },
  };
}

describe('createIngestionPipeline', () => {
  it.each(['table', 'redelivered', 'off'] as const)(
    'should build a pipeline for INGEST_DEDUP=%s (redelivered needs the id index too)',
    async (dedup) => {
      const pipeline = createIngestionPipeline(settings(dedup));
      expect(pipeline.stats().received).toBe(0);
      await pipeline.stop();
    },
  );
});
