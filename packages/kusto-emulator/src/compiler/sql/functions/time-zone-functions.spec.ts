import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

// The reference's examples (test/reference) cover the spring-forward gap; these pin down the rest.
describe('time zone functions', () => {
  it('should read a local time that happens twice (clocks going back) as standard time', async () => {
    expect(
      await kql.rows("print datetime_local_to_utc(datetime(2022-10-30 02:30:00), 'Europe/Brussels')"),
    ).toEqual([['2022-10-30T01:30:00.0000000Z']]);
  });

  it('should keep the ticks below a second, and give null for a zone name it does not know', async () => {
    expect(
      await kql.rows(
        "print datetime_utc_to_local(datetime(2022-07-11 22:18:48.4678621), 'US/Pacific'), isnull(datetime_utc_to_local(now(), 'Nowhere/Land'))",
      ),
    ).toEqual([['2022-07-11T15:18:48.4678621Z', true]]);
  });
});
