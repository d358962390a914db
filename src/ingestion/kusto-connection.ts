import { DefaultAzureCredential } from '@azure/identity';
import { KustoConnectionStringBuilder } from 'azure-kusto-data';

/**
 * The embedded engine (any http://127.0.0.1… URL) takes unauthenticated requests; every other cluster is Azure
 * Data Explorer, reached with DefaultAzureCredential (managed identity in Azure, az login on a laptop).
 */
export function kustoConnection(url: string): KustoConnectionStringBuilder {
  if (isLoopback(url)) {
    return new KustoConnectionStringBuilder(url);
  }
  return KustoConnectionStringBuilder.withTokenCredential(url, new DefaultAzureCredential());
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}
