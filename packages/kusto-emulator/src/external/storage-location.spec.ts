import { describe, expect, it } from 'vitest';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { parseStorageLocation } from './storage-location.js';

describe('parseStorageLocation', () => {
  it('should read a cloud blob URL with an account key and redact the key', () => {
    expect(parseStorageLocation('https://acct1.blob.core.windows.net/ref/fx/2026;c2VjcmV0', 'T')).toEqual({
      kind: 'blob',
      accountUrl: 'https://acct1.blob.core.windows.net',
      account: 'acct1',
      container: 'ref',
      path: 'fx/2026',
      credential: { kind: 'key', key: 'c2VjcmV0' },
      display: 'https://acct1.blob.core.windows.net/ref/fx/2026;****',
    });
  });

  it('should read an Azurite path-style URL with a SAS token', () => {
    expect(
      parseStorageLocation('http://127.0.0.1:10000/devstoreaccount1/ref/a.csv?sv=1&sig=x', 'T'),
    ).toMatchObject({
      accountUrl: 'http://127.0.0.1:10000/devstoreaccount1',
      account: 'devstoreaccount1',
      container: 'ref',
      path: 'a.csv',
      credential: { kind: 'sas', token: 'sv=1&sig=x' },
      display: 'http://127.0.0.1:10000/devstoreaccount1/ref/a.csv?****',
    });
  });

  it('should read absolute and root-relative local forms', () => {
    expect(parseStorageLocation('file:///data/fx.csv', 'T')).toEqual({
      kind: 'file',
      path: '/data/fx.csv',
      relative: false,
      display: 'file:///data/fx.csv',
    });
    expect(parseStorageLocation('file:ref/fx.csv', 'T')).toMatchObject({
      path: 'ref/fx.csv',
      relative: true,
    });
  });

  it('should refuse a URL without a container, naming the owner and never the secret', () => {
    const error = (() => {
      try {
        parseStorageLocation('https://acct1.blob.core.windows.net;c2VjcmV0', "External table 'Fx'");
      } catch (e) {
        return e as KustoEngineError;
      }
      throw new Error('expected an error');
    })();
    expect(error.message).toBe(
      "External table 'Fx': 'https://acct1.blob.core.windows.net/;****' names no blob container; expected https://<account>.blob.core.windows.net/<container>[/<path>].",
    );
  });

  it('should refuse managed-identity authentication by name', () => {
    expect(() =>
      parseStorageLocation('https://a12.blob.core.windows.net/c;managed_identity=system', 'T'),
    ).toThrow(
      "T: 'managed_identity' authentication is not supported by the embedded engine; use an account key or a SAS token.",
    );
  });
});
