/**
 * `maxConcurrentStreamingIngests`: streaming ingestion over the engine's capacity is answered 429, as ADX answers it,
 * and the real SDK reports it as throttling. Another client's upload that is still sending its body holds the only
 * slot, as a busy neighbour holds an ADX node's capacity.
 */
import { request, type ClientRequest } from 'node:http';
import { DataFormat } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestProps, jsonLines, startEngineHarness, type EngineHarness } from './kusto-engine-harness.js';

interface ThrottlingFailure {
  name: string;
  message: string;
  status: number;
  error: { code: string; message: string; '@type': string; '@permanent': boolean };
}

/** What azure-kusto-data's ThrottlingError carries: its own message, the axios error with the engine's answer. */
async function throttlingFailure(promise: Promise<unknown>): Promise<ThrottlingFailure> {
  try {
    await promise;
  } catch (error) {
    const { name, message, inner } = error as Error & {
      inner?: { response: { status: number; data: { error: ThrottlingFailure['error'] } } };
    };
    if (!inner) {
      throw error;
    }
    return { name, message, status: inner.response.status, error: inner.response.data.error };
  }
  throw new Error('expected the ingestion to fail');
}

describe('KustoEngine streaming ingestion throttling', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngineHarness({ maxConcurrentStreamingIngests: 1 });
    await h.client.execute('analytics', '.create table Throttled (k:string)');
  });

  afterAll(async () => {
    await h.stop();
  });

  async function count(): Promise<number> {
    const details = await h.client.execute('analytics', '.show table Throttled details');
    return (details.primaryResults[0].toJSON().data[0] as { TotalRowCount: number }).TotalRowCount;
  }

  /** A streaming ingestion whose body is still being sent; `finish` ends it and resolves with its status. */
  async function slowUpload(): Promise<{ finish: () => Promise<number> }> {
    const url = new URL('/v1/rest/ingest/analytics/Throttled?streamFormat=json', h.engine.url);
    let upload!: ClientRequest;
    const answered = new Promise<number>((resolve, reject) => {
      upload = request(
        url,
        { method: 'POST', headers: { 'Content-Type': 'application/json' } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      upload.once('error', reject);
    });
    upload.write('{"k":"slow"}\n');
    // The engine has taken the upload's slot once a probe for a table that does not exist is throttled rather
    // than refused as unknown (the slot is checked first, so the probe stores nothing either way).
    for (let probes = 0; ; probes++) {
      const probe = await throttlingFailure(
        h.ingest.ingestFromStream(jsonLines([{ k: 'probe' }]), ingestProps('NoSuchTable', DataFormat.JSON)),
      ).catch(() => undefined);
      if (probe !== undefined) {
        break;
      }
      if (probes === 100) {
        throw new Error('the engine never throttled a streaming ingestion while another one was uploading');
      }
    }
    return {
      finish: () => {
        upload.end();
        return answered;
      },
    };
  }

  it('should answer 429 with a retryable throttling error while the capacity is taken, and accept again after', async () => {
    const slow = await slowUpload();
    const failure = await throttlingFailure(
      h.ingest.ingestFromStream(jsonLines([{ k: 'fast' }]), ingestProps('Throttled', DataFormat.JSON)),
    );
    expect(failure).toEqual({
      name: 'ThrottlingError',
      message: 'POST request failed with status 429 (Too Many Requests)',
      status: 429,
      error: expect.objectContaining({
        code: 'TooManyRequests',
        '@type': 'Kusto.Data.Exceptions.KustoRequestThrottledException',
        '@permanent': false,
        message:
          "Streaming ingestion into 'analytics.Throttled' was throttled: the engine already handles 1 streaming ingestion requests, its limit (--max-concurrent-streaming-ingests 1). Retry after a back-off, or use queued ingestion.",
      }),
    });
    expect(await count()).toBe(0);

    expect(await slow.finish()).toBe(200);
    await h.ingest.ingestFromStream(jsonLines([{ k: 'fast' }]), ingestProps('Throttled', DataFormat.JSON));
    expect(await count()).toBe(2);
  });

  it('should free the slot of a rejected ingestion', async () => {
    await h.ingest
      .ingestFromStream(jsonLines([{ k: 'x' }]), ingestProps('NoSuchTable', DataFormat.JSON))
      .catch(() => undefined);
    await h.ingest.ingestFromStream(
      jsonLines([{ k: 'after-error' }]),
      ingestProps('Throttled', DataFormat.JSON),
    );
    expect(await count()).toBe(3);
  });
});
