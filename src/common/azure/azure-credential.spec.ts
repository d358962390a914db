import type * as Identity from '@azure/identity';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/** Every DefaultAzureCredential built in this file's process (each one asks for tokens on its own). */
const built = vi.hoisted(() => ({ count: 0 }));

vi.mock('@azure/identity', async (importOriginal) => {
  const identity = await importOriginal<typeof Identity>();
  class CountedDefaultAzureCredential extends identity.DefaultAzureCredential {
    constructor(...args: ConstructorParameters<typeof identity.DefaultAzureCredential>) {
      super(...args);
      built.count += 1;
    }
  }
  return { ...identity, DefaultAzureCredential: CountedDefaultAzureCredential };
});

/**
 * The clients a gateway with ingestion builds — the query client of the gateway, and ingestion's sink (engine and
 * data-management endpoints), message-id index and Service Bus receiver — from the given settings, as the app wires
 * them. Modules are loaded afresh for each test, so that each starts without a credential.
 */
async function buildClients(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const [{ loadConfig }, { KustoQueryClient }, { createIngestionPipeline, ingestionSettingsFromConfig }] =
    await Promise.all([
      import('../../config/load-config.js'),
      import('../../modules/query/kusto-query.client.js'),
      import('../../ingestion/ingestion-factory.js'),
    ]);
  const config = loadConfig(env);
  const query = new KustoQueryClient(config.kustoClusterUrl, config.KUSTO_DATABASE, config.kustoAuth);
  const pipeline = createIngestionPipeline(ingestionSettingsFromConfig(config));
  return async () => {
    query.close();
    await pipeline.stop();
  };
}

describe('azureCredential', () => {
  beforeEach(() => {
    vi.resetModules();
    built.count = 0;
  });
  afterEach(() => {
    vi.resetModules();
  });

  it('should be one credential for every client of the process against Azure', async () => {
    const close = await buildClients({
      KUSTO_CLUSTER_URL: 'https://mycluster.westeurope.kusto.windows.net',
      KUSTO_INGEST_MODE: 'managed',
      SERVICEBUS_NAMESPACE: 'myns.servicebus.windows.net',
    });
    expect(built.count).toBe(1);
    await close();
  });

  it('should not be created when nothing authenticates with Entra ID', async () => {
    const closeEmbedded = await buildClients({});
    const closeKustainer = await buildClients({
      KUSTO_CLUSTER_URL: 'http://kusto:8080',
      KUSTO_AUTH: 'none',
      SERVICEBUS_CONNECTION_STRING:
        'Endpoint=sb://servicebus;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true',
    });
    expect(built.count).toBe(0);
    await closeEmbedded();
    await closeKustainer();
  });
});
