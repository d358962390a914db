import { describe, expect, it } from 'vitest';
import { register } from 'prom-client';
import { RedisOutageMonitor } from './redis-outage.monitor.js';

function spyLogger() {
  const lines: { level: string; fields: unknown; msg?: string }[] = [];
  const log = (level: string) => (fields: object | string, msg?: string) =>
    lines.push({ level, fields, msg });
  return {
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    lines,
  };
}

async function gauge(): Promise<number | undefined> {
  const metric = await register.getSingleMetric('kqlgate_redis_degraded')?.get();
  return metric?.values[0]?.value;
}

describe(RedisOutageMonitor.name, () => {
  describe('fellBack', () => {
    it('should log one line when an outage starts and one when it ends, with the gauge following', async () => {
      let now = 0;
      const { logger, lines } = spyLogger();
      const sut = new RedisOutageMonitor(logger, () => now);
      sut.recovered();
      expect(lines).toEqual([]);

      sut.fellBack('rate_limit', new Error('Connection is closed.'));
      sut.fellBack('cache', new Error('Connection is closed.'));
      sut.failed(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
      expect(sut.degraded).toBe(true);
      expect(await gauge()).toBe(1);
      now = 12_340;
      sut.recovered();
      sut.recovered();
      expect(sut.degraded).toBe(false);
      expect(await gauge()).toBe(0);
      expect(lines).toEqual([
        {
          level: 'warn',
          fields: { err: 'Connection is closed.' },
          msg: "Redis is unreachable: rate limits and request coalescing use this replica's local state (limits now hold per replica) until it answers again",
        },
        {
          level: 'info',
          fields: { outageSeconds: 12.3 },
          msg: 'Redis answers again: rate limits and the result cache are shared by the replicas again',
        },
      ]);
    });
  });
});
