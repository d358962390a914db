import { describe, expect, it } from 'vitest';
import { parseExposureHeader } from './exposure-header.js';
import { lineDiff } from './kql-deployer.js';

const line = (text: string, offset = 0): { text: string; offset: number } => ({ text, offset });

describe('parseExposureHeader', () => {
  it('should read settings and bindings', () => {
    expect(
      parseExposureHeader([
        line(' free text'),
        line(' @expose roles=a,b cache=30s swr=5m cost=5 timeout=20s maxRows=1000 anonymous'),
        line(' @bind tenantId=claim:tid region=claim:ext.region'),
      ]),
    ).toEqual({
      exposure: {
        roles: ['a', 'b'],
        scopes: [],
        anonymous: true,
        cacheTtlMs: 30_000,
        staleWhileRevalidateMs: 300_000,
        cost: 5,
        timeoutMs: 20_000,
        maxRows: 1000,
      },
      bindings: { tenantId: { claim: 'tid' }, region: { claim: 'ext.region' } },
      ranges: [],
      problems: [],
    });
  });

  it('should report each bad setting at its offset', () => {
    const header = parseExposureHeader([line(' @expose cache=soon colour=red', 100), line(' @exposed', 200)]);
    expect(header.problems).toEqual([
      { offset: 109, message: "cache must be a duration such as 30s, 5m or 0 (no caching); found 'soon'" },
      {
        offset: 120,
        message:
          "unknown @expose setting 'colour' (known: roles, scopes, anonymous, cache, swr, live, cost, timeout, maxRows)",
      },
      { offset: 201, message: 'unknown directive @exposed (known: @expose, @bind, @param, @chart)' },
    ]);
  });

  it('should read live= as the interval of live re-runs and refuse a bad one at the setting', () => {
    expect(parseExposureHeader([line(' @expose cache=30s live=2s')]).exposure).toMatchObject({
      cacheTtlMs: 30_000,
      liveIntervalMs: 2000,
    });
    expect(parseExposureHeader([line(' @expose live=0')]).exposure?.liveIntervalMs).toBe(0);
    expect(parseExposureHeader([line(' @expose live=often', 10)]).problems).toEqual([
      {
        offset: 19,
        message:
          "live (how often at most a live stream re-runs the function) must be a duration between 0 and 1h such as 1s or 30s; found 'often'",
      },
    ]);
    expect(parseExposureHeader([line(' @expose live=2h')]).problems).toHaveLength(1);
  });

  it('should read swr whether it comes before or after cache', () => {
    expect(parseExposureHeader([line(' @expose swr=1m cache=10s')]).exposure).toMatchObject({
      cacheTtlMs: 10_000,
      staleWhileRevalidateMs: 60_000,
    });
    expect(parseExposureHeader([line(' @expose cache=10s swr=0')]).problems).toEqual([]);
  });

  it('should refuse a bad swr value and a swr without a cache TTL, at the swr setting', () => {
    expect(parseExposureHeader([line(' @expose cache=10s swr=later', 40)]).problems).toEqual([
      {
        offset: 59,
        message:
          "swr (stale-while-revalidate) must be a duration between 0 and 1d such as 30s or 5m; found 'later'",
      },
    ]);
    expect(parseExposureHeader([line(' @expose cache=10s swr=2d')]).problems).toHaveLength(1);
    const withoutCache = parseExposureHeader([line(' @expose roles=a swr=1m', 40)]);
    expect(withoutCache.problems).toEqual([
      {
        offset: 57,
        message:
          'swr serves an expired cached result, so it needs a cache TTL of at least 1s (e.g. cache=30s swr=1m)',
      },
    ]);
    expect(withoutCache.exposure?.staleWhileRevalidateMs).toBe(0);
  });
});

describe('parseExposureHeader @param', () => {
  it('should keep each bound as text with its offset', () => {
    expect(parseExposureHeader([line(' @param historyDays min=1 max=365', 10)]).ranges).toEqual([
      { name: 'historyDays', offset: 18, min: { text: '1', offset: 30 }, max: { text: '365', offset: 36 } },
    ]);
  });

  it('should report a line without a name or a range, an unknown setting and a repeated parameter', () => {
    const header = parseExposureHeader([
      line(' @param min=1', 0),
      line(' @param n', 100),
      line(' @param n min=1 step=2', 200),
      line(' @param n max=2', 300),
    ]);
    expect(header.problems).toEqual([
      {
        offset: 8,
        message:
          "@param expects a parameter name and its range, e.g. @param historyDays min=1 max=365; found 'min=1'",
      },
      { offset: 108, message: '@param n declares no range (min=, max= or maxLength=)' },
      { offset: 216, message: "unknown @param setting 'step=2' (known: min=, max=, maxLength=)" },
      { offset: 308, message: 'more than one @param line for n' },
    ]);
    expect(header.ranges).toEqual([{ name: 'n', offset: 208, min: { text: '1', offset: 210 } }]);
  });
});

describe('lineDiff', () => {
  it('should show removed and added lines, ignoring indentation', () => {
    expect(lineDiff('a\n  b\nc', 'a\nb\nd\nc')).toEqual(['+ d']);
    expect(lineDiff('a\nb', 'a\nc')).toEqual(['+ c', '- b']);
  });
});
