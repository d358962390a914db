import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { pathOf, privateLoggerOptions, privateSerializers, withoutQueryStrings } from './log-privacy.js';

function capture(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info', ...privateLoggerOptions }, sink), lines };
}

describe('withoutQueryStrings', () => {
  it('should drop the query of paths and URLs and leave other question marks alone', () => {
    expect(withoutQueryStrings('GET /api/v1/functions/F?customerId=c-42&x=1 failed')).toBe(
      'GET /api/v1/functions/F?(query omitted) failed',
    );
    expect(withoutQueryStrings('upload to https://acct.blob.core.windows.net/c/b.json?sv=1&sig=abc')).toBe(
      'upload to https://acct.blob.core.windows.net/c/b.json?(query omitted)',
    );
    expect(withoutQueryStrings('in the "/x?y=1" (GET) route?')).toBe(
      'in the "/x?(query omitted)" (GET) route?',
    );
    expect(withoutQueryStrings('did you mean TopProducts?')).toBe('did you mean TopProducts?');
  });
});

describe('pathOf', () => {
  it('should cut the query string', () => {
    expect(pathOf('/a/b?c=d')).toBe('/a/b');
    expect(pathOf('/a/b')).toBe('/a/b');
    expect(pathOf(undefined)).toBe('');
  });
});

describe('privateSerializers', () => {
  it('should serialize a request as method, route and path only', () => {
    expect(
      privateSerializers.req({
        method: 'GET',
        url: '/api/v1/functions/F?tenantId=t-1',
        routeOptions: { url: '/api/v1/functions/:name' },
      }),
    ).toEqual({ method: 'GET', route: '/api/v1/functions/:name', path: '/api/v1/functions/F' });
  });
});

describe('privateLoggerOptions', () => {
  it('should keep query strings out of the message, string fields and errors of every line', () => {
    const { logger, lines } = capture();
    const error = new Error('request to /api/v1/functions/F?customerId=c-42 failed', {
      cause: new Error('GET https://h.example/p?sig=secret-sig'),
    });
    logger
      .child({ component: 'x' })
      .error({ err: error, url: '/f?customerId=c-42' }, 'at /f?customerId=c-42');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('c-42');
    expect(text).not.toContain('secret-sig');
    expect(lines[0]).toMatchObject({ url: '/f?(query omitted)', msg: 'at /f?(query omitted)' });
  });
});
