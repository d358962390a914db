/**
 * A route to a table without the dedup column, through the start-up `npm start` runs (startKqlgate: embedded engine
 * and broker, deployment of kql/, ingestion, gateway): refused with the route, the table, the column and the fix,
 * and nothing left running; the same route declaring at-least-once delivery starts and ingests.
 */
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { afterEach, describe, expect, it } from 'vitest';
import { startKqlgateInstance } from '../../utils/kqlgate-instance.js';
import { repoRoot } from '../../utils/ensure-built.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/** The repository's kql/ plus an audit table that has no MessageId, and a routes file sending `audit.logged` to it. */
async function kqlDirWithAuditRoute(delivery?: string): Promise<string> {
  const dir = await tempDir('kql-audit');
  cpSync(join(repoRoot, 'kql'), dir, { recursive: true });
  writeFileSync(
    join(dir, 'tables', 'audit.kql'),
    '// Audit lines from an upstream system that has no message ids.\n' +
      '.create-merge table AuditLog (At: datetime, Text: string)\n',
  );
  writeFileSync(
    join(dir, 'ingestion-routes.json'),
    JSON.stringify({
      routes: {
        'order.placed': { table: 'RawOrderEvents', mapping: 'RawOrderEvents_json' },
        'audit.logged': { table: 'AuditLog', ...(delivery ? { delivery } : {}) },
      },
    }),
  );
  return dir;
}

describe('routes to a table without the dedup column', () => {
  const dirs: string[] = [];

  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => removeDir(dir)));
  });

  it('should stop start-up naming the route, the table, the column and the fix', async () => {
    const kqlDir = await kqlDirWithAuditRoute();
    const dataDir = await tempDir('audit-refused');
    dirs.push(kqlDir, dataDir);
    await expect(startKqlgateInstance({ KQL_DIR: kqlDir, DATA_DIR: dataDir })).rejects.toMatchObject({
      name: 'IngestionError',
      message:
        'ingestion refused to start: route routes."audit.logged" sends messages to table AuditLog, which has no ' +
        'MessageId column for exactly-once delivery (INGEST_DEDUP=table): add a string column MessageId mapped ' +
        'from $.messageId to AuditLog, or declare "delivery": "at-least-once" on the route',
    });
  });

  it('should start when the route declares at-least-once delivery, and ingest its messages', async () => {
    const kqlDir = await kqlDirWithAuditRoute('at-least-once');
    dirs.push(kqlDir);
    const instance = await startKqlgateInstance({ KQL_DIR: kqlDir });
    const serviceBus = new ServiceBusClient(instance.config.serviceBusConnectionString!);
    const kusto = new Client(new KustoConnectionStringBuilder(instance.config.kustoClusterUrl));
    try {
      const sender = serviceBus.createSender(instance.config.SERVICEBUS_TOPIC);
      await sender.sendMessages({
        messageId: 'audit-1',
        body: { eventType: 'audit.logged', At: '2026-12-06T10:00:00Z', Text: 'hello' },
      });
      await sender.close();
      let rows: unknown[] = [];
      const deadline = Date.now() + 60_000;
      while (rows.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        const response = await kusto.execute(instance.config.KUSTO_DATABASE, 'AuditLog | project Text');
        rows = response.primaryResults[0].toJSON<{ Text: string }>().data;
      }
      expect(rows).toEqual([{ Text: 'hello' }]);
    } finally {
      kusto.close();
      await serviceBus.close();
      await instance.stop();
    }
  });
});
