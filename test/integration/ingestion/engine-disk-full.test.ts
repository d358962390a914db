/**
 * The engine's disk fills up while events arrive. Nothing is dead-lettered (a full disk is transient), and the
 * `kusto-ingest` readiness check gives the engine's own reason — the operating system's "No space left on device"
 * carried in its Kusto error body — instead of the HTTP client's "Request failed with status code 500". The engine
 * keeps its data on a 4 MB tmpfs mounted for the test, so the test runs only where mounting is allowed (root).
 */
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIngestionPipeline } from '../../../src/ingestion/ingestion-factory.js';
import { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { DATABASE, IngestionStack, TABLE, event, waitUntil } from './ingestion-stack.js';

function tryMountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const mountPoint = await tempDir('engine-disk-full');
const mounted = tryMountTmpfs(mountPoint, '4m');
if (!mounted) {
  await removeDir(mountPoint);
}

describe.skipIf(!mounted)(IngestionPipeline.name, () => {
  const stack = new IngestionStack({ kustoDataDir: join(mountPoint, 'kusto') });

  beforeAll(async () => {
    await mkdir(join(mountPoint, 'kusto'));
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    await stack.stop();
    execFileSync('umount', [mountPoint]);
    await removeDir(mountPoint);
  });

  it("should report the engine's reason when its disk is full, and dead-letter nothing", async () => {
    const pipeline = createIngestionPipeline(
      stack.settings({ unreachableThresholdMs: 0, drainTimeoutMs: 1_000 }),
    );
    await pipeline.start();
    // 200 events of 40 KB: about twice what the engine's 4 MB volume can hold.
    await stack.send(
      Array.from({ length: 200 }, (_, i) =>
        event(i, { body: { seq: i, kind: 'good', payload: `${i}`.repeat(40_000 / `${i}`.length) } }),
      ),
    );
    await waitUntil('kusto-ingest readiness is down', async () => !(await pipeline.sinkStatus()).up, 60_000);
    const status = await pipeline.sinkStatus();
    await pipeline.stop();

    expect(status.details.lastError).toBe(
      `HTTP 500: Writing to the storage of database '${DATABASE}' failed: No space left on device. Nothing was ingested into '${TABLE}'.`,
    );
    expect(pipeline.stats().deadLettered).toBe(0);
  });
});
