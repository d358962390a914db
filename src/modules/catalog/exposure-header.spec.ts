import { describe, expect, it } from 'vitest';
import { parseExposureHeader } from './exposure-header.js';
import { lineDiff } from './kql-deployer.js';

const line = (text: string, offset = 0): { text: string; offset: number } => ({ text, offset });

describe('parseExposureHeader', () => {
  it('should read settings and bindings', () => {
    expect(
      parseExposureHeader([
        line(' free text'),
        line(' @expose roles=a,b cache=30s cost=5 timeout=20s maxRows=1000 anonymous'),
        line(' @bind tenantId=claim:tid region=claim:ext.region'),
      ]),
    ).toEqual({
      exposure: {
        roles: ['a', 'b'],
        scopes: [],
        anonymous: true,
        cacheTtlMs: 30_000,
        cost: 5,
        timeoutMs: 20_000,
        maxRows: 1000,
      },
      bindings: { tenantId: { claim: 'tid' }, region: { claim: 'ext.region' } },
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
          "unknown @expose setting 'colour' (known: roles, scopes, anonymous, cache, cost, timeout, maxRows)",
      },
      { offset: 201, message: 'unknown directive @exposed (known: @expose, @bind)' },
    ]);
  });
});

describe('lineDiff', () => {
  it('should show removed and added lines, ignoring indentation', () => {
    expect(lineDiff('a\n  b\nc', 'a\nb\nd\nc')).toEqual(['+ d']);
    expect(lineDiff('a\nb', 'a\nc')).toEqual(['+ c', '- b']);
  });
});
