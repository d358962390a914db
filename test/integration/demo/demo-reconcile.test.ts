import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logging/logger.js';
import { DemoProducer } from '../../../src/demo/demo-producer.js';
import { formatReconcileReport, reconcile, type ReconcileReport } from '../../../src/demo/demo-reconciler.js';
import { startKustoEmulator, type RunningKustoEmulator } from '../../../src/embedded/kusto/kusto-emulator.js';
import {
  startServiceBusEmulator,
  type RunningServiceBusEmulator,
} from '../../../src/embedded/servicebus/servicebus-emulator.js';
import { DEFAULT_BACKOFF } from '../../../src/ingestion/backoff.js';
import { createIngestionPipeline } from '../../../src/ingestion/ingestion-factory.js';
import type { IngestionPipeline } from '../../../src/ingestion/ingestion-pipeline.js';
import { loadRouteTable } from '../../../src/ingestion/route-table-loader.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const run = promisify(execFile);
const DATABASE = 'analytics';
const ROUTES_FILE = join(repoRoot, 'kql', 'ingestion-routes.json');
const T0 = Date.UTC(2026, 10, 20, 12);

/** The raw tables and JSON mappings of kql/tables/*.kql (docs/events.md §2: one shared shape). */
async function createRawTables(client: Client): Promise<void> {
  const tables = new Set(Object.values(loadRouteTable(ROUTES_FILE).routes).map((r) => r.table));
  const mapping = JSON.stringify(
    [
      ['MessageId', '$.messageId'],
      ['EventId', '$.eventId'],
      ['EventType', '$.eventType'],
      ['TenantId', '$.tenantId'],
      ['OccurredAt', '$.occurredAt'],
      ['Payload', '$.data'],
    ].map(([column, path]) => ({ column, Properties: { Path: path } })),
  );
  for (const table of tables) {
    await client.execute(
      DATABASE,
      `.create-merge table ${table} (MessageId: string, EventId: string, EventType: string, TenantId: string, ` +
        `OccurredAt: datetime, Payload: dynamic)`,
    );
    await client.execute(
      DATABASE,
      `.create-or-alter table ${table} ingestion json mapping "${table}_json" '${mapping}'`,
    );
  }
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  describeState: () => string,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}; last state:\n${describeState()}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('reconcile', () => {
  const dirs: string[] = [];
  let kusto: RunningKustoEmulator;
  let broker: RunningServiceBusEmulator;
  let pipeline: IngestionPipeline;
  let dataDir: string;
  let report: ReconcileReport;

  beforeAll(async () => {
    const [kustoDir, brokerDir] = [await tempDir('demo-kusto'), await tempDir('demo-sb')];
    dataDir = await tempDir('demo-data');
    dirs.push(kustoDir, brokerDir, dataDir);
    kusto = await startKustoEmulator({ port: 0, dataDir: kustoDir, databases: [DATABASE] });
    broker = await startServiceBusEmulator({ port: 0, dataDir: brokerDir });
    const client = new Client(new KustoConnectionStringBuilder(kusto.url));
    try {
      await createRawTables(client);
    } finally {
      client.close();
    }
    pipeline = createIngestionPipeline(
      {
        serviceBus: {
          connectionString: broker.connectionString,
          topic: 'oltp-events',
          subscription: 'analytics',
          maxConcurrentCalls: 500,
        },
        kusto: { clusterUrl: kusto.url, mode: 'streaming' },
        routes: loadRouteTable(ROUTES_FILE),
        pipeline: {
          database: DATABASE,
          batch: { maxEvents: 1000, maxBytes: 4_000_000, maxAgeMs: 100 },
          maxInFlight: 1500,
          maxParallelIngests: 4,
          dedup: 'table',
          dedupColumn: 'MessageId',
          backoff: { ...DEFAULT_BACKOFF, maxMs: 2_000 },
          drainTimeoutMs: 10_000,
          unreachableThresholdMs: 10_000,
        },
      },
      silentLogger,
    );
    await pipeline.start();

    let now = T0;
    const producer = new DemoProducer({
      connectionString: broker.connectionString,
      topic: 'oltp-events',
      rate: 2,
      seed: 5,
      dataDir,
      backfillDays: 1,
      backfillEvents: 300,
      initialCustomers: 80,
      tickMs: 0,
      logger: silentLogger,
      clock: () => now,
    });
    await producer.start({ waitForBackfill: true });
    for (let i = 0; i < 12; i++) {
      now += 10_000;
      await producer.step();
    }
    await producer.stop();

    const options = {
      dataDir,
      clusterUrl: kusto.url,
      database: DATABASE,
      routesFile: ROUTES_FILE,
      settleMs: 0,
    };
    await waitFor(
      'every published event is in the raw tables',
      async () => {
        report = await reconcile(options);
        return report.matched;
      },
      () => (report ? formatReconcileReport(report) : 'no report yet'),
    );
  });

  afterAll(async () => {
    await pipeline?.stop();
    await broker?.close();
    await kusto?.close();
    await Promise.all(dirs.map((d) => removeDir(d)));
  });

  it('should find every event of the operational store in the raw tables, once per MessageId', () => {
    expect(report.unsent).toBe(0);
    expect(report.errors).toEqual({});
    expect(report.rows.map((r) => r.status)).toEqual(report.rows.map(() => 'match'));
    const byType = Object.fromEntries(report.rows.map((r) => [r.eventType, r]));
    expect(byType['customer.registered'].table).toBe('RawCustomerEvents');
    expect(byType['customer.registered'].analytics).toBeGreaterThanOrEqual(80);
    expect(byType['order.placed'].operational).toBeGreaterThan(10);
    expect(byType['payment.authorized'].table).toBe('RawPaymentEvents');
    expect(report.rows.every((r) => r.operational === r.analytics)).toBe(true);
    expect(report.rows.reduce((sum, r) => sum + r.operational, 0)).toBeGreaterThan(500);
  });

  it('should print both sides per event type with totals', () => {
    const text = formatReconcileReport(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe(`operational store: ${join(dataDir, 'demo', 'oltp.sqlite')}`);
    expect(lines[1]).toBe(`analytics store:   ${kusto.url} / analytics`);
    expect(lines[3]).toMatch(
      /^event type\s+raw table\s+operational \(SQLite\)\s+analytics \(Kusto\)\s+dup rows\s+status$/,
    );
    const orderLine = lines.find((l) => l.startsWith('order.placed '));
    const orders = report.rows.find((r) => r.eventType === 'order.placed')!;
    expect(orderLine?.split(/\s+/)).toEqual([
      'order.placed',
      'RawOrderEvents',
      String(orders.operational),
      String(orders.analytics),
      '0',
      'match',
    ]);
    expect(lines[lines.length - 1]).toMatch(/^total\s+\d+\s+\d+\s+0\s+match$/);
  });

  it('should count events published within the settle window as in flight, not missing', async () => {
    const late = await reconcile({
      dataDir,
      clusterUrl: kusto.url,
      database: DATABASE,
      routesFile: ROUTES_FILE,
      // Pretend everything was published a moment ago: rows that match stay "match".
      settleMs: 10 * 365 * 86_400_000,
    });
    expect(late.matched).toBe(true);
    expect(late.rows.every((r) => r.inFlight === r.operational)).toBe(true);
  });

  describe('kqlgate demo check', () => {
    beforeAll(async () => {
      await ensureBuilt();
    }, 300_000);

    it('should print the report and exit 0, and exit 1 naming the tables it could not count', async () => {
      const args = [join(repoRoot, 'bin', 'kqlgate.js'), 'demo', 'check', '--data-dir', dataDir, '--strict'];
      const env = { ...process.env, KUSTO_CLUSTER_URL: kusto.url, LOG_LEVEL: 'silent' };
      const ok = await run(process.execPath, [...args, '--routes', ROUTES_FILE], { env, cwd: repoRoot });
      expect(ok.stdout).toContain(`operational store: ${join(dataDir, 'demo', 'oltp.sqlite')}`);
      expect(ok.stdout).toMatch(/^order\.placed\s+RawOrderEvents\s+\d+\s+\d+\s+0\s+match$/m);
      const failed = await run(process.execPath, [...args, '--database', 'nosuchdb'], {
        env,
        cwd: repoRoot,
      }).then(
        (): { code: number; stdout: string } => ({ code: 0, stdout: '' }),
        (error: { code: number; stdout: string }) => error,
      );
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('cannot count RawOrderEvents: ');
    });
  });

  it('should report a raw table that does not exist as an error for its event types', async () => {
    const client = new Client(new KustoConnectionStringBuilder(kusto.url));
    try {
      await client.execute(DATABASE, '.drop table RawShipmentEvents');
    } finally {
      client.close();
    }
    const broken = await reconcile({
      dataDir,
      clusterUrl: kusto.url,
      database: DATABASE,
      routesFile: ROUTES_FILE,
    });
    expect(broken.matched).toBe(false);
    expect(Object.keys(broken.errors)).toEqual(['RawShipmentEvents']);
    expect(broken.rows.filter((r) => r.status === 'error').map((r) => r.eventType)).toEqual([
      'shipment.delivered',
      'shipment.dispatched',
    ]);
    expect(formatReconcileReport(broken)).toContain('cannot count RawShipmentEvents: ');
  });

  it('should refuse a data dir without a demo store, saying what to do', async () => {
    const empty = await tempDir('demo-empty');
    dirs.push(empty);
    await expect(
      reconcile({ dataDir: empty, clusterUrl: kusto.url, database: DATABASE, routesFile: ROUTES_FILE }),
    ).rejects.toThrow(
      `No demo operational store at ${join(empty, 'demo', 'oltp.sqlite')}: start the demo producer first ` +
        '(npm start, or kqlgate demo run) or point --data-dir at the DATA_DIR it used',
    );
  });
});
