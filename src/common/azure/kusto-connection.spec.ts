import { kustoTrustedEndpoints } from 'azure-kusto-data';
import { describe, expect, it } from 'vitest';
import { azureCredential } from './azure-credential.js';
import { kustoConnection, kustoUsesEntraId } from './kusto-connection.js';

const LOGIN = 'https://login.microsoftonline.com';

/** The SDK's own check, run before every request: throws for a host it would not talk to. */
function sdkRefuses(url: string): string | undefined {
  try {
    kustoTrustedEndpoints.validateTrustedEndpoint(url, LOGIN);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('kustoUsesEntraId', () => {
  it('should authenticate everything but loopback addresses under auto', () => {
    expect(kustoUsesEntraId('https://mycluster.westeurope.kusto.windows.net', 'auto')).toBe(true);
    expect(kustoUsesEntraId('http://kusto:8080', 'auto')).toBe(true);
    expect(kustoUsesEntraId('http://127.0.0.1:8082', 'auto')).toBe(false);
    expect(kustoUsesEntraId('http://127.0.0.2:8082', 'auto')).toBe(false);
    expect(kustoUsesEntraId('http://localhost:8080', 'auto')).toBe(false);
    expect(kustoUsesEntraId('http://[::1]:8080', 'auto')).toBe(false);
  });

  it('should follow azure and none whatever the address', () => {
    expect(kustoUsesEntraId('http://127.0.0.1:8082', 'azure')).toBe(true);
    expect(kustoUsesEntraId('https://mycluster.westeurope.kusto.windows.net', 'none')).toBe(false);
    expect(kustoUsesEntraId('http://kusto:8080', 'none')).toBe(false);
  });
});

describe('kustoConnection', () => {
  it('should let the SDK reach a host configured without credentials, and only that host', () => {
    expect(sdkRefuses('http://kustainer:8080')).toBe(
      "Can't communicate with 'kustainer' as this hostname is currently not trusted; please see https://aka.ms/kustotrustedendpoints",
    );
    const builder = kustoConnection('http://kustainer:8080', 'none');
    expect(builder.tokenCredential).toBeUndefined();
    expect(sdkRefuses('http://kustainer:8080')).toBeUndefined();
    expect(sdkRefuses('http://kustainer.evil:8080')).toBeDefined();
  });

  it('should keep the SDK check for a host reached with Entra ID', () => {
    const builder = kustoConnection('http://proxy-to-adx:8080', 'azure');
    expect(builder.tokenCredential).toBe(azureCredential());
    expect(sdkRefuses('http://proxy-to-adx:8080')).toBeDefined();
  });

  it('should name kqlgate in the tracing headers, with credentials or without', () => {
    for (const builder of [
      kustoConnection('http://127.0.0.1:8082'),
      kustoConnection('https://mycluster.westeurope.kusto.windows.net'),
    ]) {
      expect(builder.clientDetails().getHeaders()['x-ms-app']).toMatch(/^Kusto\.kqlgate:/);
    }
  });
});
