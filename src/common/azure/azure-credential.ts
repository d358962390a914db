import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

let shared: TokenCredential | undefined;

/**
 * The process's one Azure credential, shared by every client that authenticates with Entra ID (the Kusto query,
 * ingest and message-id clients, the Service Bus receiver, `kqlgate deploy`). Each DefaultAzureCredential keeps its
 * own token cache and, on Azure, works out the managed identity endpoint anew: one instance asks for each token once
 * per process instead of once per client. Created at the first call, which only a client that authenticates makes,
 * so the embedded stack, a Kustainer with KUSTO_AUTH=none or a connection string never build one.
 */
export function azureCredential(): TokenCredential {
  shared ??= new DefaultAzureCredential();
  return shared;
}
