/**
 * The data-management endpoint's Azurite child process: stopping it must not wait for the kill timeout (Azurite
 * closes its services on SIGTERM but its process lives on while its IPC channel is open), and must not cost the
 * data it saves as it closes: a queued ingestion message is still there after a restart on the same location.
 */
import { QueueServiceClient, StorageSharedKeyCredential } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEV_ACCOUNT_KEY,
  DEV_ACCOUNT_NAME,
  STOP_TIMEOUT_MS,
  startAzurite,
  type RunningAzurite,
} from '../../src/dm/azurite-process.js';
import { silentLogger } from '../../src/logging/logger.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';

describe('startAzurite', () => {
  const running: RunningAzurite[] = [];
  let location: string | undefined;

  afterAll(async () => {
    await Promise.all(running.map((azurite) => azurite.close()));
    if (location !== undefined) {
      await removeDir(location);
    }
  });

  async function start(dir: string): Promise<QueueServiceClient> {
    const azurite = await startAzurite({ host: '127.0.0.1', location: dir, logger: silentLogger });
    running.push(azurite);
    return new QueueServiceClient(
      azurite.queueEndpoint,
      new StorageSharedKeyCredential(DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY),
    );
  }

  describe('close', () => {
    it('should end the process once its services have closed, keeping their data for the next start', async () => {
      location = await tempDir('azurite');
      const queue = (await start(location)).getQueueClient('readyforaggregation');
      await queue.create();
      await queue.sendMessage('queued-ingestion-1');

      const started = performance.now();
      await running[0].close();
      // Generous: the close itself takes well under a second; the old behaviour was the kill timeout.
      expect(performance.now() - started).toBeLessThan(STOP_TIMEOUT_MS / 2);

      const again = (await start(location)).getQueueClient('readyforaggregation');
      const { peekedMessageItems } = await again.peekMessages({ numberOfMessages: 32 });
      expect(peekedMessageItems.map((m) => m.messageText)).toEqual(['queued-ingestion-1']);
    }, 120_000);
  });
});
