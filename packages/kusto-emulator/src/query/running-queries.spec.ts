import { describe, expect, it } from 'vitest';
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import { RunningQueries } from './running-queries.js';

const info = (clientActivityId: string) => ({
  clientActivityId,
  rootActivityId: '00000000-0000-0000-0000-000000000001',
  database: 'analytics',
  text: 'T | take 1',
  application: 'test',
  startedOn: new Date('2024-06-01T00:00:00Z'),
});
const cancelled = new KustoEngineError(KustoErrorCode.Cancelled, 'cancelled');

describe(RunningQueries.name, () => {
  describe('cancel', () => {
    it('should abort the query with the reason and list it as Cancelling until its work ends', async () => {
      const running = new RunningQueries();
      const query = running.start(info('a'));
      let endWork!: () => void;
      const work = new Promise<void>((resolve) => (endWork = resolve));
      const finished = running.finish(query, work);
      expect(running.cancel('a', cancelled)).toBe(1);
      expect(query.signal.reason).toBe(cancelled);
      expect(running.cancel('a', cancelled)).toBe(0);
      expect(running.list().map((q) => q.state)).toEqual(['Cancelling']);
      endWork();
      await finished;
      expect(running.list()).toEqual([]);
    });
  });

  describe('idle', () => {
    it('should resolve true once the last query ends, false after the timeout', async () => {
      const running = new RunningQueries();
      const query = running.start(info('b'));
      expect(await running.idle(10)).toBe(false);
      const idle = running.idle(5_000);
      await running.finish(query);
      expect(await idle).toBe(true);
    });
  });
});
