import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EnvConfig } from '../../config/env.dto.js';
import type { Principal } from '../auth/principal.js';
import type { CacheInvalidator } from '../cache/cache-invalidator.js';
import { TableLineage } from '../cache/table-lineage.js';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import type { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { FunctionQueryService, QueryResult } from '../query/function-query.service.js';
import { LiveCloseCode } from './live-close.js';
import { LiveErrorCode } from './live-error.js';
import { LiveResultsService } from './live-results.service.js';
import type { LiveSink } from './live-sink.js';
import { InProcessCommitBus } from './table-commit.bus.js';

const principal: Principal = { id: 'u1', roles: ['analyst'], scopes: [], claims: {}, anonymous: false };

const result = (rows: Record<string, unknown>[]): QueryResult =>
  ({ rows, meta: { columns: [{ name: 'n', type: 'long' }], truncated: false } }) as unknown as QueryResult;

describe(LiveResultsService.name, () => {
  let rows: Record<string, unknown>[];
  let execute: ReturnType<typeof vi.fn>;
  let invalidator: { invalidate: ReturnType<typeof vi.fn>; settled: ReturnType<typeof vi.fn> };
  let bus: InProcessCommitBus;
  let sut: LiveResultsService;
  const fn = {
    name: 'Counts',
    tables: ['Orders'],
    exposure: { cacheTtlMs: 30_000, liveIntervalMs: 1_000 },
  } as unknown as CatalogFunction;

  type SinkDouble = { push: ReturnType<typeof vi.fn>; close: ReturnType<typeof vi.fn> };
  const sink = (): SinkDouble => ({
    push: vi.fn(() => true),
    close: vi.fn(),
  });
  const commit = async (table: string, origin?: string): Promise<void> => {
    if (origin) {
      (bus as unknown as { deliver(c: unknown): void }).deliver({ database: 'db', table, rows: 1, origin });
    } else {
      bus.publish({ database: 'db', table, rows: 1 });
    }
    await vi.advanceTimersByTimeAsync(0);
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date', 'queueMicrotask'] });
    rows = [{ n: 1 }];
    execute = vi.fn(() => Promise.resolve(result(rows)));
    invalidator = { invalidate: vi.fn(() => Promise.resolve([])), settled: vi.fn(() => Promise.resolve()) };
    bus = new InProcessCommitBus();
    const catalog = {
      exposedFunction: (name: string) => (name === fn.name ? fn : undefined),
      onChange: () => () => undefined,
    } as unknown as FunctionCatalogService;
    const config = Object.assign(new EnvConfig(), { LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL: 2 });
    sut = new LiveResultsService(
      { execute } as unknown as FunctionQueryService,
      catalog,
      config,
      bus,
      TableLineage.fromPolicies([{ table: 'Orders', source: 'RawOrderEvents' }]),
      invalidator as unknown as CacheInvalidator,
    );
    sut.onModuleInit();
  });
  afterEach(() => {
    sut.endAllForShutdown();
    vi.useRealTimers();
  });

  describe('open', () => {
    it('should push the first result as result 1', async () => {
      const out = sink();
      await sut.open(principal, 'Counts', {}, out as LiveSink);
      expect(out.push).toHaveBeenCalledTimes(1);
      expect(out.push).toHaveBeenCalledWith(result([{ n: 1 }]), 1);
    });

    it('should refuse a subscription past the per-principal limit, and count a closed one as freed', async () => {
      const first = await sut.open(principal, 'Counts', {}, sink() as LiveSink);
      await sut.open(principal, 'Counts', {}, sink() as LiveSink);
      await expect(sut.open(principal, 'Counts', {}, sink() as LiveSink)).rejects.toMatchObject({
        code: LiveErrorCode.TooManyForPrincipal,
        httpStatus: 429,
        details: { limit: 2 },
      });
      first.cancel();
      await expect(sut.open(principal, 'Counts', {}, sink() as LiveSink)).resolves.toBeDefined();
    });
  });

  describe('commits', () => {
    it('should re-run at most once per live interval, and push only when the rows changed', async () => {
      const out = sink();
      await sut.open(principal, 'Counts', {}, out as LiveSink);
      rows = [{ n: 2 }];
      await commit('RawOrderEvents');
      await commit('Orders');
      await vi.advanceTimersByTimeAsync(999);
      expect(execute).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(execute).toHaveBeenCalledTimes(2);
      expect(out.push).toHaveBeenLastCalledWith(result([{ n: 2 }]), 2);

      await commit('Orders');
      await vi.advanceTimersByTimeAsync(1000);
      expect(out.push).toHaveBeenCalledTimes(2);
    });

    it('should not re-run for a table the function does not read', async () => {
      await sut.open(principal, 'Counts', {}, sink() as LiveSink);
      await commit('Payments');
      await vi.advanceTimersByTimeAsync(5000);
      expect(execute).toHaveBeenCalledTimes(1);
    });

    it("should wait for this replica's own invalidation, and leave another replica's commit to its publisher's bump", async () => {
      await sut.open(principal, 'Counts', {}, sink() as LiveSink);
      await commit('Orders');
      expect(invalidator.settled).toHaveBeenCalledTimes(1);
      await commit('Orders', 'another-replica');
      expect(invalidator.settled).toHaveBeenCalledTimes(1);
      expect(invalidator.invalidate).not.toHaveBeenCalled();
    });
  });

  describe('endAllForShutdown', () => {
    it('should close every subscription with SHUTTING_DOWN and refuse new ones', async () => {
      const out = sink();
      await sut.open(principal, 'Counts', {}, out as LiveSink);
      sut.endAllForShutdown();
      expect(out.close).toHaveBeenCalledWith(
        LiveCloseCode.ShuttingDown,
        'this kqlgate replica is shutting down; reconnect',
      );
      expect(sut.size).toBe(0);
      await expect(sut.open(principal, 'Counts', {}, sink() as LiveSink)).rejects.toMatchObject({
        code: LiveErrorCode.ShuttingDown,
      });
    });
  });
});
