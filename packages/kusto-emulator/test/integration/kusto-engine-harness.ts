/**
 * Starts the embedded engine on a free 127.0.0.1 port in a temp data dir, with real SDK clients pointed at
 * it. Every test file gets its own engine so files can run in parallel.
 */
import { Readable } from 'node:stream';
import { Client as KustoClient } from 'azure-kusto-data';
import { DataFormat, IngestionProperties, StreamingIngestClient } from 'azure-kusto-ingest';
import {
  startKustoEmulator,
  type KustoEmulatorOptions,
  type RunningKustoEmulator,
} from '../../src/kusto-emulator.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';

export interface EngineHarness {
  engine: RunningKustoEmulator;
  dataDir: string;
  client: KustoClient;
  ingest: StreamingIngestClient;
  /** Restarts the engine on the same data dir (new port, new clients). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startEngineHarness(
  options: Partial<KustoEmulatorOptions> = {},
): Promise<EngineHarness> {
  const dataDir = options.dataDir ?? (await tempDir('kusto-engine'));
  const start = (): Promise<RunningKustoEmulator> =>
    startKustoEmulator({ port: 0, databases: ['analytics'], ...options, dataDir });
  const harness = {
    dataDir,
    engine: await start(),
  } as EngineHarness;
  const connect = (): void => {
    harness.client = new KustoClient(`Data Source=${harness.engine.url};Initial Catalog=analytics`);
    harness.ingest = new StreamingIngestClient(`Data Source=${harness.engine.url};Initial Catalog=analytics`);
  };
  connect();
  harness.restart = async () => {
    harness.client.close();
    harness.ingest.close();
    await harness.engine.close();
    harness.engine = await start();
    connect();
  };
  harness.stop = async () => {
    harness.client.close();
    harness.ingest.close();
    await harness.engine.close();
    if (!options.dataDir) {
      await removeDir(dataDir);
    }
  };
  return harness;
}

export function jsonLines(rows: object[]): Readable {
  return Readable.from([Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'))]);
}

export function ingestProps(table: string, format: DataFormat, mapping?: string): IngestionProperties {
  return new IngestionProperties({
    database: 'analytics',
    table,
    format,
    ingestionMappingReference: mapping,
  });
}

/** The Kusto error body the SDK hands back on an HTTP error (the AxiosError's `response.data.error`). */
export async function kustoError(
  promise: Promise<unknown>,
): Promise<{ status: number; code: string; message: string; type: string }> {
  try {
    await promise;
  } catch (error) {
    const response = (
      error as {
        response?: { status: number; data: { error: { code: string; message: string; '@type': string } } };
      }
    ).response;
    if (!response) {
      throw error;
    }
    return {
      status: response.status,
      code: response.data.error.code,
      message: response.data.error.message,
      type: response.data.error['@type'],
    };
  }
  throw new Error('expected the request to fail');
}
