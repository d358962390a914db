/**
 * The data-management side of the engine (queued ingestion), started with it when enabled:
 *
 *   azure-kusto-ingest QueuedIngestClient
 *     ├─ .get ingestion resources / .get kusto identity token → /v1/rest/mgmt (data-management-commands.ts)
 *     ├─ uploads the data to TempStorage, puts a message on SecuredReadyForAggregationQueue  ─┐  Azurite
 *     └─ (Table reports) creates a Pending status entity                                      │  (azurite-process.ts)
 *   queued-ingestion-poller.ts ← takes the message, reads the blob ─────────────────────────────┘
 *     → ingest/data-ingestion.ts (the engine's one ingestion path) → ingestion-status-reporter.ts → deletes it
 */
import { join } from 'node:path';
import type { IngestionService } from '../ingest/ingestion-service.js';
import type { Logger } from '../logging/logger.js';
import type { DatabaseRegistry } from '../storage/database-registry.js';
import { startAzurite, type AzuritePorts } from './azurite-process.js';
import { IngestionStatusReporter } from './ingestion-status-reporter.js';
import { IngestionStorage } from './ingestion-storage.js';
import { QueuedIngestionPoller } from './queued-ingestion-poller.js';

export const DEFAULT_DM_POLL_INTERVAL_MS = 200;

export interface DataManagementOptions {
  /** Azurite's ports; 0 or absent = free ones. */
  storagePorts?: Partial<AzuritePorts>;
  /** Idle wait between looks at an empty ingestion queue; default 200 ms. */
  pollIntervalMs?: number;
}

export interface RunningDataManagement {
  storage: IngestionStorage;
  close(): Promise<void>;
}

export async function startDataManagement(
  options: DataManagementOptions,
  deps: {
    host: string;
    dataDir: string;
    registry: DatabaseRegistry;
    ingestion: IngestionService;
    logger: Logger;
    onIngested: (database: string, table: string, rows: number) => void;
  },
): Promise<RunningDataManagement> {
  const azurite = await startAzurite({
    // Azurite binds one address per service; a wildcard engine host still keeps storage on loopback.
    host: deps.host === '0.0.0.0' || deps.host === '::' ? '127.0.0.1' : deps.host,
    location: join(deps.dataDir, 'azurite'),
    ports: options.storagePorts,
    logger: deps.logger,
  });
  try {
    const storage = new IngestionStorage(azurite);
    await storage.ensureCreated();
    const poller = new QueuedIngestionPoller({
      storage,
      reporter: new IngestionStatusReporter(storage),
      registry: deps.registry,
      ingestion: deps.ingestion,
      logger: deps.logger,
      onIngested: deps.onIngested,
      pollIntervalMs: options.pollIntervalMs ?? DEFAULT_DM_POLL_INTERVAL_MS,
    });
    poller.start();
    deps.logger.info(
      { blob: azurite.blobEndpoint, queue: azurite.queueEndpoint, table: azurite.tableEndpoint },
      'data management (queued ingestion) started',
    );
    return {
      storage,
      close: async () => {
        await poller.stop();
        await azurite.close();
      },
    };
  } catch (error) {
    await azurite.close();
    throw error;
  }
}
