import { describe, expect, it } from 'vitest';
import type { Logger } from '../common/logging/logger.js';
import { OUTAGE_REMINDER_MS, SourceOutageLog } from './source-outage-log.js';

function setup() {
  const lines: { level: string; msg?: string; fields: object }[] = [];
  const record =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push(typeof obj === 'string' ? { level, msg: obj, fields: {} } : { level, msg, fields: obj });
    };
  const logger: Logger = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
  const clock = { now: 0 };
  const sut = new SourceOutageLog(logger, { now: () => clock.now, sleep: () => Promise.resolve() });
  return { sut, lines, clock };
}

const refused = new Error('connect ECONNREFUSED 127.0.0.1:5672');

describe(SourceOutageLog.name, () => {
  describe('failed', () => {
    it('should log the first failure, then one reminder per interval with the count of the failures since', () => {
      const { sut, lines, clock } = setup();
      // Four attempts a second, as the SDK's retries of an unreachable broker come.
      for (clock.now = 0; clock.now < 65_000; clock.now += 250) {
        sut.failed(refused, 'receive');
      }
      expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
        { level: 'warn', msg: 'Service Bus receive error: connect ECONNREFUSED 127.0.0.1:5672' },
        {
          level: 'warn',
          msg: 'Service Bus still failing after 30 s: 120 more errors since the last line (last, on receive: connect ECONNREFUSED 127.0.0.1:5672)',
        },
        {
          level: 'warn',
          msg: 'Service Bus still failing after 60 s: 120 more errors since the last line (last, on receive: connect ECONNREFUSED 127.0.0.1:5672)',
        },
      ]);
      expect(lines[1].fields).toMatchObject({ where: 'receive', failures: 120, failingForS: 30 });
      expect(OUTAGE_REMINDER_MS).toBe(30_000);
    });
  });

  describe('recovered', () => {
    it('should log one line when reception resumes after failures, and log the next outage from its start', () => {
      const { sut, lines, clock } = setup();
      expect(sut.recovered()).toBe(false);
      for (clock.now = 0; clock.now < 10_000; clock.now += 500) {
        sut.failed(refused, 'receive');
      }
      clock.now = 12_000;
      expect(sut.recovered()).toBe(true);
      expect(sut.recovered()).toBe(false);
      sut.failed(refused, 'receive');
      expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
        { level: 'warn', msg: 'Service Bus receive error: connect ECONNREFUSED 127.0.0.1:5672' },
        {
          level: 'info',
          msg: 'Service Bus reachable again after 12 s and 20 failed attempts; reception resumed',
        },
        { level: 'warn', msg: 'Service Bus receive error: connect ECONNREFUSED 127.0.0.1:5672' },
      ]);
      expect(lines[1].fields).toEqual({ failures: 20, failingForS: 12 });
    });
  });
});
