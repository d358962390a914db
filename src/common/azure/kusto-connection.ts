import { KustoConnectionStringBuilder, MatchRule, kustoTrustedEndpoints } from 'azure-kusto-data';
import { packageVersion } from '../package-version.js';
import { azureCredential } from './azure-credential.js';

/**
 * How kqlgate authenticates to a Kusto endpoint (KUSTO_AUTH):
 * - `auto`: no credentials for a loopback address (the embedded engine, a local Kustainer on 127.0.0.1 or
 *   localhost), Entra ID for anything else;
 * - `azure`: Entra ID through the shared DefaultAzureCredential (managed identity on Azure, `az login` on a laptop);
 * - `none`: no credentials, whatever the address — a Kustainer at `http://kusto:8080` in docker compose.
 */
export type KustoAuth = 'auto' | 'azure' | 'none';

/** The connection to a Kusto query or ingestion endpoint, authenticated as `auth` says. */
export function kustoConnection(url: string, auth: KustoAuth = 'auto'): KustoConnectionStringBuilder {
  let builder: KustoConnectionStringBuilder;
  if (kustoUsesEntraId(url, auth)) {
    builder = KustoConnectionStringBuilder.withTokenCredential(url, azureCredential());
  } else {
    trustHost(new URL(url).hostname);
    builder = new KustoConnectionStringBuilder(url);
  }
  // Names the caller in the x-ms-app tracing header ADX records. Without connector details the SDK also works out
  // the OS user name for x-ms-user on every request (os.userInfo(), a passwd lookup); kqlgate does not send it.
  const version = packageVersion();
  builder.setConnectorDetails('kqlgate', version, 'kqlgate', version);
  return builder;
}

/** Whether requests to `url` carry an Entra ID token under `auth`. */
export function kustoUsesEntraId(url: string, auth: KustoAuth): boolean {
  switch (auth) {
    case 'azure':
      return true;
    case 'none':
      return false;
    case 'auto':
      return !isLoopback(url);
  }
}

const trustedHosts = new Set<string>();

/**
 * azure-kusto-data refuses every request (token or not) to a host outside Azure's Kusto domains and loopback
 * ("hostname is currently not trusted", aka.ms/kustotrustedendpoints): the list protects tokens from going to a
 * host that merely claims to be Kusto. An endpoint the operator configured without credentials (a Kustainer at
 * `http://kusto:8080`) receives no token, so its exact host name is added to the SDK's process-wide list. Hosts
 * reached with Entra ID keep the SDK's check.
 */
function trustHost(hostname: string): void {
  if (!trustedHosts.has(hostname)) {
    trustedHosts.add(hostname);
    kustoTrustedEndpoints.addTrustedHosts([new MatchRule(hostname, true)], false);
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}
