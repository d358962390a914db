import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../test/utils/ingestion-doubles.js';
import { systemClock } from './clock.js';
import { SourceLinkHealth } from './source-link-health.js';

function setup(thresholdMs: number, running = true) {
  const logger = new RecordingLogger();
  const health = new SourceLinkHealth(systemClock, logger, thresholdMs, () => running);
  health.subscribing();
  return { health, logger };
}

describe(SourceLinkHealth.name, () => {
  describe('status', () => {
    it("should follow the receive link's state, failing once it has been detached past the threshold", async () => {
      const { health } = setup(20);
      health.onLink(true);
      expect(health.status()).toEqual({ up: true, details: { link: 'attached' } });
      health.onLink(false);
      health.onError(new Error('connect ECONNREFUSED 127.0.0.1:5672'), 'receive');
      expect(health.status()).toMatchObject({ up: true, details: { link: 'detached' } });
      await new Promise((r) => setTimeout(r, 40));
      expect(health.status()).toMatchObject({
        up: false,
        details: { link: 'detached', lastError: 'connect ECONNREFUSED 127.0.0.1:5672', thresholdMs: 20 },
      });
      health.onLink(true);
      expect(health.status()).toEqual({ up: true, details: { link: 'attached' } });
    });

    it('should fail when the link never attaches within the threshold', async () => {
      const { health } = setup(10);
      await new Promise((r) => setTimeout(r, 30));
      expect(health.status()).toMatchObject({
        up: false,
        details: { link: 'detached', lastError: 'receive link not attached yet' },
      });
    });
  });

  describe('onLink', () => {
    it('should warn of a lost link while running, and say when it is back', () => {
      const { health, logger } = setup(60_000);
      health.onLink(true);
      health.onLink(false);
      health.onLink(true);
      expect(logger.lines).toEqual([
        'warn: Service Bus receive link lost; re-attaching with back-off',
        'info: Service Bus receive link attached again; reception resumed',
      ]);
    });

    it('should not warn of a link closed while the pipeline drains', () => {
      const { health, logger } = setup(60_000, false);
      health.onLink(true);
      health.onLink(false);
      expect(logger.lines).toEqual([]);
    });
  });
});
