import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startKustoEmulator, type RunningKustoEmulator } from '@kqlgate/kusto-emulator';
import { Client as KustoClient } from 'azure-kusto-data';
import { DataFormat, IngestionProperties, StreamingIngestClient } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../utils/ensure-built.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/** The embedded engine on a free port, with the real SDK clients pointed at it. */
interface EngineHarness {
  client: KustoClient;
  ingest: StreamingIngestClient;
  stop(): Promise<void>;
}

async function startEngineHarness(): Promise<EngineHarness> {
  const dataDir = await tempDir('kql-tables');
  const engine: RunningKustoEmulator = await startKustoEmulator({
    port: 0,
    dataDir,
    databases: ['analytics'],
  });
  const client = new KustoClient(`Data Source=${engine.url};Initial Catalog=analytics`);
  const ingest = new StreamingIngestClient(`Data Source=${engine.url};Initial Catalog=analytics`);
  return {
    client,
    ingest,
    stop: async () => {
      client.close();
      ingest.close();
      await engine.close();
      await removeDir(dataDir);
    },
  };
}

function jsonLines(rows: object[]): Readable {
  return Readable.from([Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'))]);
}

function ingestProps(table: string, format: DataFormat, mapping?: string): IngestionProperties {
  return new IngestionProperties({
    database: 'analytics',
    table,
    format,
    ingestionMappingReference: mapping,
  });
}

/** The commands of a kql/tables/*.kql file: each starts on a line beginning with '.'. */
function commandsOf(text: string): string[] {
  return text
    .split(/\n(?=\.)/)
    .map((chunk) =>
      chunk
        .split('\n')
        .filter((line) => !line.trimStart().startsWith('//'))
        .join('\n')
        .trim(),
    )
    .filter((command) => command.startsWith('.'));
}

describe('KustoEngine with the project domain model (kql/tables)', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngineHarness();
    const text = await readFile(join(repoRoot, 'kql', 'tables', 'customers.kql'), 'utf8');
    for (const command of commandsOf(text)) {
      await h.client.execute('analytics', command);
    }
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should expand raw events into the curated table through the function-based update policy, once per message', async () => {
    const event = {
      messageId: 'm-1',
      eventId: 'e-1',
      eventType: 'customer.registered',
      tenantId: 't-1',
      // Recent: the policy only checks the last 7 days of Customers for redeliveries.
      occurredAt: new Date(Date.now() - 60_000).toISOString(),
      data: { customerId: 'c-1', country: 'de', segment: 'smb', signupChannel: 'web' },
    };
    const props = ingestProps('RawCustomerEvents', DataFormat.JSON, 'RawCustomerEvents_json');
    await h.ingest.ingestFromStream(jsonLines([event]), props);
    // A redelivered message: the policy's leftanti join against Customers drops it.
    await h.ingest.ingestFromStream(jsonLines([event]), props);
    const customers = await h.client.execute(
      'analytics',
      'Customers | project TenantId, CustomerId, Country, Segment, MessageId',
    );
    expect(customers.primaryResults[0].toJSON().data).toEqual([
      { TenantId: 't-1', CustomerId: 'c-1', Country: 'DE', Segment: 'smb', MessageId: 'm-1' },
    ]);
    const raw = await h.client.execute('analytics', 'RawCustomerEvents | count');
    expect(raw.primaryResults[0].toJSON().data).toEqual([{ Count: 2 }]);
  });
});
