import { Readable } from 'node:stream';
import { Client as KustoClient } from 'azure-kusto-data';
import {
  DataFormat,
  IngestClient,
  IngestionProperties,
  CompressionType,
  IngestStatusQueues,
  ManagedStreamingIngestClient,
  ReportLevel,
  ReportMethod,
  StreamDescriptor,
  type IngestionResult,
  type IngestionStatusInTableDescription,
} from 'azure-kusto-ingest';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKustoEmulator, type RunningKustoEmulator } from '../../src/kusto-emulator.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';
import { kustoError } from './kusto-engine-harness.js';

const DB = 'analytics';

function jsonLines(rows: object[]): Readable {
  return Readable.from([Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'))]);
}

function props(extra: Partial<IngestionProperties> = {}): IngestionProperties {
  return new IngestionProperties({
    database: DB,
    table: 'Orders',
    format: DataFormat.JSON,
    ingestionMappingReference: 'orders_json',
    reportLevel: ReportLevel.FailuresAndSuccesses,
    reportMethod: ReportMethod.Table,
    ...extra,
  });
}

/** What ingestFromBlob answers when the client asked for table reports (TableReportIngestionResult). */
type TableReport = IngestionResult & {
  ingestionStatusInTableDescription: IngestionStatusInTableDescription;
  tableClient: TableClient;
};

/**
 * Polls the status entity as a client waits for a queued ingestion. Read with a TableClient of its own: the SDK's
 * refuses the emulator's http URL (it sets no allowInsecureConnection), so its Pending entity is never written
 * either, and the entity appears with the final status.
 */
async function finalStatus(result: unknown): Promise<Record<string, unknown>> {
  expect(result).toHaveProperty('ingestionStatusInTableDescription');
  const report = result as TableReport;
  const table = new TableClient(report.tableClient.url, report.tableClient.tableName, {
    allowInsecureConnection: true,
  });
  const { partitionKey, rowKey } = report.ingestionStatusInTableDescription;
  for (let i = 0; i < 600; i++) {
    const status = await table.getEntity(partitionKey, rowKey).catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) {
        return undefined;
      }
      throw error;
    });
    if (status && status.Status !== 'Pending') {
      return status;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the ingestion stayed Pending');
}

describe('KustoEmulator data management (queued ingestion)', () => {
  let dataDir: string;
  let engine: RunningKustoEmulator;
  let client: KustoClient;
  let queued: IngestClient;

  async function orderIds(): Promise<string[]> {
    const response = await client.execute(DB, 'Orders | order by OrderId asc | project OrderId');
    return response.primaryResults[0].toJSON<{ OrderId: string }>().data.map((r) => r.OrderId);
  }

  beforeAll(async () => {
    dataDir = await tempDir('dm');
    engine = await startKustoEmulator({ port: 0, dataDir, databases: [DB], dataManagement: true });
    client = new KustoClient(`Data Source=${engine.url};Initial Catalog=${DB}`);
    queued = new IngestClient(`Data Source=${engine.url};Initial Catalog=${DB}`);
    await client.execute(DB, '.create table Orders (OrderId:string, Amount:real)');
    await client.execute(
      DB,
      `.create table Orders ingestion json mapping "orders_json" '[{"column":"OrderId","Properties":{"Path":"$.id"}},{"column":"Amount","Properties":{"Path":"$.amount"}}]'`,
    );
  }, 120_000);

  afterAll(async () => {
    queued?.close();
    client?.close();
    await engine?.close();
    await removeDir(dataDir);
  });

  it('should hand out the ingestion resources and identity token the SDK asks the DM endpoint for', async () => {
    const resources = await client.executeMgmt('NetDefaultDB', '.get ingestion resources');
    const rows = resources.primaryResults[0].toJSON<{ ResourceTypeName: string; StorageRoot: string }>().data;
    expect(rows.map((r) => r.ResourceTypeName)).toEqual([
      'TempStorage',
      'SecuredReadyForAggregationQueue',
      'SuccessfulIngestionsQueue',
      'FailedIngestionsQueue',
      'IngestionsStatusTable',
    ]);
    for (const row of rows) {
      const url = new URL(row.StorageRoot);
      expect(url.hostname).toBe('127.0.0.1');
      expect(url.pathname.startsWith('/devstoreaccount1/')).toBe(true);
      expect(url.searchParams.get('sig')).toBeTruthy();
    }
    const token = await client.executeMgmt('NetDefaultDB', '.get kusto identity token');
    expect(token.primaryResults[0].toJSON().data).toEqual([
      { AuthorizationContext: 'kqlgate-embedded-engine' },
    ]);
  });

  it('should commit queued rows and report Succeeded in the status table', async () => {
    const result = await queued.ingestFromStream(
      jsonLines([
        { id: 'q1', amount: 10 },
        { id: 'q2', amount: 20.5 },
      ]),
      props(),
    );
    const status = await finalStatus(result);
    expect(status).toMatchObject({
      Status: 'Succeeded',
      Database: DB,
      Table: 'Orders',
      Details: '2 rows ingested.',
    });
    expect(await orderIds()).toEqual(['q1', 'q2']);
  }, 60_000);

  it('should report a missing mapping as a permanent failure with the engine message', async () => {
    const result = await queued.ingestFromStream(
      jsonLines([{ id: 'bad', amount: 1 }]),
      props({ ingestionMappingReference: 'no_such_mapping' }),
    );
    const status = await finalStatus(result);
    expect(status).toMatchObject({
      Status: 'Failed',
      FailureStatus: 'Permanent',
      ErrorCode: 'BadRequest_EntityNotFound',
      Details:
        "Json ingestion mapping 'no_such_mapping' was not found in table 'Orders' of database 'analytics'.",
    });
    expect(await orderIds()).not.toContain('bad');
  }, 60_000);

  it('should post success and failure messages to the status queues when the client asks for queue reports', async () => {
    const statusQueues = new IngestStatusQueues(queued);
    await queued.ingestFromStream(
      jsonLines([{ id: 'sq1', amount: 1 }]),
      props({ reportMethod: ReportMethod.Queue }),
    );
    await queued.ingestFromStream(
      jsonLines([{ id: 'sq2', amount: 'x' }]),
      props({ reportMethod: ReportMethod.Queue, table: 'NoSuchTable' }),
    );
    const successes: Array<Record<string, unknown>> = [];
    const failures: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 300 && (successes.length === 0 || failures.length === 0); i++) {
      successes.push(...((await statusQueues.success.pop(10)) as Array<Record<string, unknown>>));
      failures.push(...((await statusQueues.failure.pop(10)) as Array<Record<string, unknown>>));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(successes).toEqual([expect.objectContaining({ Database: DB, Table: 'Orders' })]);
    expect(failures).toEqual([
      expect.objectContaining({
        Database: DB,
        Table: 'NoSuchTable',
        FailureStatus: 'Permanent',
        Details: "Table 'NoSuchTable' was not found in database 'analytics'.",
      }),
    ]);
    expect(await orderIds()).toContain('sq1');
  }, 60_000);

  it('should store the rows of a message delivered twice only once and report the second Skipped', async () => {
    const resources = await client.executeMgmt('NetDefaultDB', '.get ingestion resources');
    const readyQueue = resources.primaryResults[0]
      .toJSON<{ ResourceTypeName: string; StorageRoot: string }>()
      .data.find((r) => r.ResourceTypeName === 'SecuredReadyForAggregationQueue')!.StorageRoot;
    // The first delivery goes through the SDK; the second is the same ingestion (same id, same blob) put on the
    // queue again, as a queue redelivers a message whose taker stopped before deleting it.
    const first = await queued.ingestFromStream(jsonLines([{ id: 'dup', amount: 5 }]), props());
    expect(await finalStatus(first)).toMatchObject({ Status: 'Succeeded' });
    const blobPath = (await finalStatus(first)).IngestionSourcePath;
    const id = (first as TableReport).ingestionStatusInTableDescription.rowKey;
    const replay = {
      Id: id,
      BlobPath: blobPath,
      DatabaseName: DB,
      TableName: 'Orders',
      ReportLevel: ReportLevel.FailuresAndSuccesses,
      ReportMethod: ReportMethod.Queue,
      AdditionalProperties: { format: 'json', ingestionMappingReference: 'orders_json' },
    };
    await new QueueClient(readyQueue).sendMessage(Buffer.from(JSON.stringify(replay)).toString('base64'));
    const statusQueues = new IngestStatusQueues(queued);
    let report: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 300 && report.length === 0; i++) {
      report = (await statusQueues.success.pop(10)) as Array<Record<string, unknown>>;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(report).toEqual([expect.objectContaining({ IngestionSourceId: id, Table: 'Orders' })]);
    expect((await orderIds()).filter((o) => o === 'dup')).toEqual(['dup']);
  }, 60_000);

  it('should fall back from streaming to queued ingestion for data over 4 MB (ManagedStreamingIngestClient)', async () => {
    const managed = new ManagedStreamingIngestClient(
      `Data Source=${engine.url};Initial Catalog=${DB}`,
      `Data Source=${engine.url};Initial Catalog=${DB}`,
    );
    try {
      const rows = Array.from({ length: 40_000 }, (_, i) => ({
        id: `m${i}`,
        amount: i,
        pad: 'x'.repeat(100),
      }));
      const data = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'));
      // A Buffer, as the SDK's fallback needs: from a one-chunk Readable over 4 MB its stream merge never ends the
      // upload (azure-kusto-ingest 7.0.1, streamUtils mergeStreams); it checks `instanceof Buffer` itself.
      const result = await managed.ingestFromStream(
        new StreamDescriptor(data as unknown as ArrayBuffer, null, CompressionType.None, data.length),
        props(),
      );
      // A streaming answer would be a Kusto response; the queued fallback answers with a status to wait for.
      expect(await finalStatus(result)).toMatchObject({
        Status: 'Succeeded',
        Details: '40000 rows ingested.',
      });
      const count = await client.execute(DB, "Orders | where OrderId startswith 'm' | count");
      expect(count.primaryResults[0].toJSON<{ Count: number }>().data[0].Count).toBe(40_000);
    } finally {
      managed.close();
    }
  }, 120_000);
});

describe('KustoEmulator without data management', () => {
  it('should refuse the DM commands with what to turn on', async () => {
    const dataDir = await tempDir('no-dm');
    const engine = await startKustoEmulator({ port: 0, dataDir, databases: [DB] });
    const client = new KustoClient(`Data Source=${engine.url};Initial Catalog=${DB}`);
    try {
      const error = await kustoError(client.executeMgmt('NetDefaultDB', '.get ingestion resources'));
      expect(error.message).toContain(
        "'.get ingestion resources' is a command of the data-management (queued ingestion) endpoint, which this engine runs without; start it with data management enabled (kusto-emulator --data-management, or dataManagement in startKustoEmulator) or use streaming ingestion.",
      );
    } finally {
      client.close();
      await engine.close();
      await removeDir(dataDir);
    }
  });
});
