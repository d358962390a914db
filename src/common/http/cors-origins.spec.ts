import { describe, expect, it } from 'vitest';
import { isOriginAllowed, parseCorsOrigins } from './cors-origins.js';

describe('parseCorsOrigins', () => {
  it('should split exact origins from subdomain patterns and ignore blanks', () => {
    const list = parseCorsOrigins(
      ' https://app.example.com,, http://localhost:5173 ,https://*.example.org:8443',
    );
    expect([...list.exact]).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(list.patterns).toEqual([{ prefix: 'https://', suffix: '.example.org:8443' }]);
    expect([list.any, list.problems]).toEqual([false, []]);
  });

  it('should say what is wrong with each entry that is not an origin', () => {
    expect(
      parseCorsOrigins(
        'ftp://x.example.com,https://a.example.com/path,https://a.example.com:443,https://a:99999,*.example.com',
      ).problems,
    ).toEqual([
      '"ftp://x.example.com" is not an origin: http:// or https://, a host (or *. and a domain) and an optional port, with no path',
      '"https://a.example.com/path" is not an origin: http:// or https://, a host (or *. and a domain) and an optional port, with no path',
      '"https://a.example.com:443" must leave out the default port 443 (browsers do)',
      '"https://a:99999" has a port above 65535',
      '"*.example.com" needs its scheme, e.g. https://app.example.com or https://*.example.com',
    ]);
  });
});

describe('isOriginAllowed', () => {
  const list = parseCorsOrigins('https://app.example.com,http://127.0.0.1:5173,https://*.example.org');

  it('should allow listed origins and subdomains of a pattern at any depth', () => {
    for (const origin of [
      'https://app.example.com',
      'http://127.0.0.1:5173',
      'https://a.example.org',
      'https://a.b.example.org',
    ]) {
      expect([origin, isOriginAllowed(list, origin)]).toEqual([origin, true]);
    }
  });

  it('should refuse other schemes, ports, look-alike hosts, the bare pattern domain and no origin', () => {
    for (const origin of [
      'http://app.example.com',
      'https://app.example.com:8443',
      'http://127.0.0.1:5174',
      'https://example.org',
      'http://a.example.org',
      'https://evilexample.org',
      'https://a.example.org.evil.com',
      'https://evil.com/.example.org',
      'https://user@x.example.org',
      'https://a.example.org:444',
      'null',
      undefined,
    ]) {
      expect([origin, isOriginAllowed(list, origin)]).toEqual([origin, false]);
    }
  });

  it('should allow any origin with * but still not a request without one', () => {
    const any = parseCorsOrigins('*');
    expect([isOriginAllowed(any, 'https://anything.test'), isOriginAllowed(any, undefined)]).toEqual([
      true,
      false,
    ]);
  });
});
