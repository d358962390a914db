import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RerunScheduler } from './rerun-scheduler.js';

describe(RerunScheduler.name, () => {
  let now: number;
  let runs: number[];
  let release: (() => void) | undefined;
  let holdRuns: boolean;

  const scheduler = (intervalMs: number): RerunScheduler =>
    new RerunScheduler(
      async () => {
        runs.push(now);
        if (holdRuns) {
          await new Promise<void>((resolve) => (release = resolve));
        }
      },
      () => intervalMs,
      () => now,
    );
  const advance = async (ms: number): Promise<void> => {
    now += ms;
    await vi.advanceTimersByTimeAsync(ms);
  };

  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
    runs = [];
    holdRuns = false;
    release = undefined;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('request', () => {
    it('should run at once when the interval has passed since the last run', async () => {
      const sut = scheduler(1000);
      sut.request();
      await advance(0);
      expect(runs).toEqual([0]);
    });

    it('should coalesce requests within the interval into one run when it ends', async () => {
      const sut = scheduler(1000);
      sut.ran();
      sut.request();
      await advance(200);
      sut.request();
      sut.request();
      await advance(700);
      expect(runs).toEqual([]);
      await advance(100);
      expect(runs).toEqual([1000]);
      await advance(5000);
      expect(runs).toEqual([1000]);
    });

    it('should never run twice at once, and run once more after a run that requests arrived during', async () => {
      holdRuns = true;
      const sut = scheduler(0);
      sut.request();
      await advance(0);
      sut.request();
      sut.request();
      await advance(100);
      expect(runs).toEqual([0]);
      release!();
      await advance(0);
      expect(runs).toEqual([0, 100]);
    });

    it('should wait at least notBeforeMs (a rate-limit retry)', async () => {
      const sut = scheduler(0);
      sut.request(3000);
      await advance(2999);
      expect(runs).toEqual([]);
      await advance(1);
      expect(runs).toEqual([3000]);
    });
  });

  describe('stop', () => {
    it('should drop a run that is waiting for its interval', async () => {
      const sut = scheduler(1000);
      sut.ran();
      sut.request();
      sut.stop();
      await advance(2000);
      sut.request();
      await advance(2000);
      expect(runs).toEqual([]);
    });
  });
});
