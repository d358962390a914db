import { describe, expect, it } from 'vitest';
import { InflightEngineCalls } from './inflight-engine-calls.js';

const gone = (): Error => new Error('callers gone');

describe(InflightEngineCalls.name, () => {
  describe('join', () => {
    it('should abort a shared engine query only when the last of its callers goes away', () => {
      const calls = new InflightEngineCalls();
      const first = new AbortController();
      const second = new AbortController();
      calls.join('F\n{}', first.signal, gone);
      calls.join('F\n{}', second.signal, gone);
      const load = calls.startLoad('F\n{}');
      first.abort();
      expect(load.signal.aborted).toBe(false);
      second.abort();
      expect(load.signal.aborted).toBe(true);
      expect((load.signal.reason as Error).message).toBe('callers gone');
    });

    it('should not abort a query whose callers were answered, nor one no caller waits for', () => {
      const calls = new InflightEngineCalls();
      const caller = new AbortController();
      const leave = calls.join('F\n{}', caller.signal, gone);
      const load = calls.startLoad('F\n{}');
      leave();
      caller.abort();
      expect(load.signal.aborted).toBe(false);
      const refresh = calls.startLoad('G\n{}');
      expect(refresh.signal.aborted).toBe(false);
      expect(calls.size).toBe(2);
      expect(calls.abortAll(new Error('shutdown'))).toBe(2);
      expect(refresh.signal.aborted).toBe(true);
    });
  });
});
