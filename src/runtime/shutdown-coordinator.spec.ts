import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logging/logger.js';
import { ShutdownCoordinator, StartInterrupted } from './shutdown-coordinator.js';

function recorder(order: string[], name: string) {
  return { name, close: () => Promise.resolve(void order.push(name)) };
}

function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
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

    it('should wait for the starts in progress, succeeded or failed, before closing anything', async () => {
      const order: string[] = [];
      const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
      shutdown.add(recorder(order, 'engine'));
      shutdown.add(recorder(order, 'gateway'));
      const gatewayStarting = deferred();
      const brokerStarting = deferred();
      shutdown.track(gatewayStarting.promise);
      shutdown.track(brokerStarting.promise);
      const done = shutdown.shutdown('SIGINT');
      gatewayStarting.resolve();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(order).toEqual([]);
      brokerStarting.reject(new Error('port taken'));
      await expect(done).resolves.toBe(0);
      expect(order).toEqual(['gateway', 'engine']);
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
