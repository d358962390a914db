import { describe, expect, it } from 'vitest';
import { RecordingLogger } from '../../test/utils/ingestion-doubles.js';
import { systemClock } from './clock.js';
import { checkDedupColumnsAtStartup, type DedupColumnCheckInput } from './dedup-column-check.js';
import type { MessageIdIndex } from './message-id-index.js';

const INPUT: DedupColumnCheckInput = {
  database: 'db',
  mode: 'table',
  column: 'MessageId',
  rules: [{ where: 'routes."order.placed"', rule: { table: 'Orders' } }],
};

/** An index whose column listing fails with `error` every time. */
function failingIndex(error: Error): MessageIdIndex & { attempts: number } {
  const index = {
    attempts: 0,
    columnsOf: () => {
      index.attempts++;
      return Promise.reject(error);
    },
    existing: () => Promise.resolve(new Set<string>()),
    close: () => Promise.resolve(),
  };
  return index;
}

function options(giveUpAfterMs: number, drain = new AbortController().signal) {
  return { clock: systemClock, backoff: { initialMs: 1, maxMs: 4 }, random: () => 0, giveUpAfterMs, drain };
}

describe('checkDedupColumnsAtStartup', () => {
  it('should retry an unreachable engine, then go on with a warning once the wait is over', async () => {
    const logger = new RecordingLogger();
    const index = failingIndex(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await checkDedupColumnsAtStartup(INPUT, index, logger, options(30));
    expect(index.attempts).toBeGreaterThan(1);
    expect(logger.lines).toEqual([
      'warn: could not check that the routed tables hold the MessageId column (connect ECONNREFUSED); going on: ' +
        'a table without it is reported by the id lookup at run time',
    ]);
  });

  it('should go on at once, with the warning, when the engine refuses the check permanently', async () => {
    const logger = new RecordingLogger();
    const refused = Object.assign(new Error('Request failed with status code 403'), {
      response: { status: 403, data: { error: { '@message': 'Forbidden', '@permanent': true } } },
    });
    const index = failingIndex(refused);
    await checkDedupColumnsAtStartup(INPUT, index, logger, options(60_000));
    expect(index.attempts).toBe(1);
    expect(logger.lines).toEqual([
      'warn: could not check that the routed tables hold the MessageId column (Forbidden); going on: a table ' +
        'without it is reported by the id lookup at run time',
    ]);
  });

  it('should stop retrying as soon as the drain is aborted', async () => {
    const drain = new AbortController();
    const index = failingIndex(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const checked = checkDedupColumnsAtStartup(
      INPUT,
      index,
      new RecordingLogger(),
      options(600_000, drain.signal),
    );
    drain.abort();
    await checked;
    expect(index.attempts).toBeLessThanOrEqual(2);
  });
});
