import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logging/logger.js';
import { ShutdownCoordinator, StartInterrupted } from './shutdown-coordinator.js';

function recorder(order: string[], name: string) {
  return { name, close: () => Promise.resolve(void order.push(name)) };
}

describe(ShutdownCoordinator.name, () => {
  describe('shutdown', () => {
    it('should close last-added first', async () => {
      const order: string[] = [];
      const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
      shutdown.add(recorder(order, 'engine'));
      shutdown.add(recorder(order, 'ingestion'));
      shutdown.add(recorder(order, 'gateway'));
      await expect(shutdown.shutdown('test')).resolves.toBe(0);
      expect(order).toEqual(['gateway', 'ingestion', 'engine']);
    });

    it('should run the closers once when shut down twice (a failed start during a shutdown)', async () => {
      const order: string[] = [];
      const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
      shutdown.add(recorder(order, 'engine'));
      const [first, second] = await Promise.all([
        shutdown.shutdown('SIGINT'),
        shutdown.shutdown('start-up failed'),
      ]);
      expect([first, second]).toEqual([0, 0]);
      expect(order).toEqual(['engine']);
    });

    it('should answer 1 when a closer outlives the timeout', async () => {
      const shutdown = new ShutdownCoordinator(silentLogger, 50, () => undefined);
      shutdown.add({ name: 'stuck', close: () => new Promise<void>(() => undefined) });
      await expect(shutdown.shutdown('test')).resolves.toBe(1);
    });

    it('should abort its signal before the first closer runs, so a start in progress ends early', async () => {
      const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
      const seen: boolean[] = [];
      shutdown.add({
        name: 'gateway',
        close: () => Promise.resolve(void seen.push(shutdown.signal.aborted)),
      });
      expect(shutdown.signal.aborted).toBe(false);
      await expect(shutdown.shutdown('SIGINT')).resolves.toBe(0);
      expect(seen).toEqual([true]);
      expect(shutdown.signal.reason).toEqual(new StartInterrupted('the shutdown'));
    });
  });

  describe('assertStarting', () => {
    it('should interrupt a start once the shutdown has begun, naming what would have started', async () => {
      const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
      expect(() => shutdown.assertStarting('ingestion')).not.toThrow();
      const done = shutdown.shutdown('SIGINT');
      expect(() => shutdown.assertStarting('ingestion')).toThrow(new StartInterrupted('ingestion'));
      expect(() => shutdown.assertStarting('ingestion')).toThrow(
        'start-up interrupted by the shutdown before ingestion',
      );
      await done;
    });
  });
});
