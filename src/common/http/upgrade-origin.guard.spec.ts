import { describe, expect, it } from 'vitest';
import { parseCorsOrigins } from './cors-origins.js';
import { isUpgradeOriginAllowed } from './upgrade-origin.guard.js';

describe('isUpgradeOriginAllowed', () => {
  const listed = parseCorsOrigins('https://app.example.com,https://*.example.org');
  const none = parseCorsOrigins(undefined);
  const host = 'gateway.example.net:8443';

  it('should allow a client that sends no Origin, which is not a browser', () => {
    expect(isUpgradeOriginAllowed(none, { host })).toBe(true);
  });

  it("should allow the gateway's own host whatever the scheme, also without CORS_ORIGINS", () => {
    for (const origin of [`https://${host}`, `http://${host}`]) {
      expect([origin, isUpgradeOriginAllowed(none, { host: 'Gateway.example.net:8443', origin })]).toEqual([
        origin,
        true,
      ]);
    }
  });

  it('should allow the origins CORS_ORIGINS allows and refuse every other', () => {
    const cases: [string, boolean][] = [
      ['https://app.example.com', true],
      ['https://a.b.example.org', true],
      ['https://evil.example.net', false],
      ['https://gateway.example.net', false],
      ['null', false],
    ];
    for (const [origin, allowed] of cases) {
      expect([origin, isUpgradeOriginAllowed(listed, { host, origin })]).toEqual([origin, allowed]);
    }
    expect(isUpgradeOriginAllowed(listed, { origin: 'https://app.example.com' })).toBe(true);
    expect(isUpgradeOriginAllowed(none, { origin: 'https://app.example.com' })).toBe(false);
  });
});
