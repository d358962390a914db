import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logging/logger.js';
import { ShutdownCoordinator, StartInterrupted } from './shutdown-coordinator.js';

function recorder(order: string[], name: string) {
  return { name, close: () => Promise.resolve(void order.push(name)) };
}

describe('ShutdownCoordinator', () => {
  it('should close last-added first, with closeFirst closers before all others whenever they were added', async () => {
    const order: string[] = [];
    const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
    shutdown.add(recorder(order, 'engine'));
    shutdown.add(recorder(order, 'ingestion'));
    shutdown.add(recorder(order, 'demo'), { closeFirst: true });
    shutdown.add(recorder(order, 'gateway'));
    await expect(shutdown.shutdown('test')).resolves.toBe(0);
    expect(order).toEqual(['demo', 'gateway', 'ingestion', 'engine']);
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

  it('should close a part added while shutting down (it finished starting after the signal), and wait for it', async () => {
    const order: string[] = [];
    const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
    let releaseEngine!: () => void;
    shutdown.add({
      name: 'engine',
      close: () =>
        new Promise<void>((resolve) => (releaseEngine = resolve)).then(() => void order.push('engine')),
    });
    const done = shutdown.shutdown('SIGINT');
    // The gateway finished starting while the engine was closing.
    let releaseGateway!: () => void;
    shutdown.add({
      name: 'gateway',
      close: () =>
        new Promise<void>((resolve) => (releaseGateway = resolve)).then(() => void order.push('gateway')),
    });
    releaseEngine();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual(['engine']);
    releaseGateway();
    await expect(done).resolves.toBe(0);
    expect(order).toEqual(['engine', 'gateway']);
  });

  it('should interrupt a start-up step once the shutdown has begun, naming the step', async () => {
    const shutdown = new ShutdownCoordinator(silentLogger, 5_000, () => undefined);
    expect(() => shutdown.assertStarting('the ingestion')).not.toThrow();
    const done = shutdown.shutdown('SIGINT');
    expect(() => shutdown.assertStarting('the ingestion')).toThrow(new StartInterrupted('the ingestion'));
    expect(() => shutdown.assertStarting('the ingestion')).toThrow(
      'start-up interrupted by the shutdown before the ingestion',
    );
    await done;
  });
});
