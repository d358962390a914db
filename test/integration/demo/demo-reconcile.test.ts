import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/common/logging/logger.js';
import { servicebusEntitiesFile } from '../../../src/config/servicebus-entities-file.js';
import {
  DemoProducer,
  formatReconcileReport,
  OltpStore,
  oltpStorePath,
  OperationalConsumer,
  reconcile,
  type DemoProducerOptions,
  type ReconcileOptions,
  type ReconcileReport,
} from '@kqlgate/demo-shop';
import { startKustoEmulator, type RunningKustoEmulator } from '@kqlgate/kusto-emulator';
import { startServiceBusEmulator, type RunningServiceBusEmulator } from '@kqlgate/servicebus-emulator';
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
  let consumer: OperationalConsumer;
  let dataDir: string;
  let report: ReconcileReport;
  let now = T0;
  let options: ReconcileOptions;

  function producer(): DemoProducer {
    const producerOptions: DemoProducerOptions = {
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
    };
    return new DemoProducer(producerOptions);
  }

  function startConsumer(): OperationalConsumer {
    consumer = new OperationalConsumer({
      connectionString: broker.connectionString,
      topic: 'oltp-events',
      dataDir,
      logger: silentLogger,
      maxWaitMs: 300,
    });
    void consumer.start();
    return consumer;
  }

  /** Runs the OLTP producer for `steps` live steps of 10 simulated seconds, then stops it. */
  async function publishLive(steps: number): Promise<void> {
    const shop = producer();
    await shop.start({ waitForBackfill: true });
    for (let i = 0; i < steps; i++) {
      now += 10_000;
      await shop.step();
    }
    await shop.stop();
  }

  /** Waits until the analytics side has every published event (whatever the operational side holds). */
  async function waitForAnalytics(): Promise<ReconcileReport> {
    let last: ReconcileReport | undefined;
    await waitFor(
      'every published event is in the raw tables',
      async () => {
        last = await reconcile(options);
        return last.rows.every((r) => r.analyticsStatus === 'match');
      },
      () => (last ? formatReconcileReport(last) : 'no report yet'),
    );
    return last!;
  }

  // The embedded stack with the demo's three sides: the OLTP producer publishing, the operational consumer reading
  // `operational`, the ingestion reading `analytics` into the raw tables.
  beforeAll(async () => {
    const [kustoDir, brokerDir] = [await tempDir('demo-kusto'), await tempDir('demo-sb')];
    dataDir = await tempDir('demo-data');
    dirs.push(kustoDir, brokerDir, dataDir);
    kusto = await startKustoEmulator({ port: 0, dataDir: kustoDir, databases: [DATABASE] });
    broker = await startServiceBusEmulator({
      port: 0,
      dataDir: brokerDir,
      configFile: servicebusEntitiesFile(),
    });
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
      { logger: silentLogger },
    );
    await pipeline.start();
    startConsumer();

    await publishLive(12);

    options = {
      dataDir,
      clusterUrl: kusto.url,
      kusto: new KustoConnectionStringBuilder(kusto.url),
      database: DATABASE,
      routes: loadRouteTable(ROUTES_FILE).routes,
      routesSource: ROUTES_FILE,
      settleMs: 0,
      now: () => now + 1_000,
    };
    await waitFor(
      'every published event is in the operational store and in the raw tables',
      async () => {
        report = await reconcile(options);
        return report.matched;
      },
      () => (report ? formatReconcileReport(report) : 'no report yet'),
    );
  });

  afterAll(async () => {
    await consumer?.close();
    await pipeline?.stop();
    await broker?.close();
    await kusto?.close();
    await Promise.all(dirs.map((d) => removeDir(d)));
  });

  it('should find every published event once in the operational store and in the raw tables', () => {
    expect(report.unsent).toBe(0);
    expect(report.errors).toEqual({});
    expect(report.operationalError).toBeNull();
    expect(report.rows.map((r) => r.status)).toEqual(report.rows.map(() => 'match'));
    const byType = Object.fromEntries(report.rows.map((r) => [r.eventType, r]));
    expect(byType['customer.registered'].table).toBe('RawCustomerEvents');
    expect(byType['customer.registered'].analytics).toBeGreaterThanOrEqual(80);
    expect(byType['order.placed'].published).toBeGreaterThan(10);
    expect(byType['payment.authorized'].table).toBe('RawPaymentEvents');
    for (const row of report.rows) {
      expect([row.eventType, row.operational, row.analytics]).toEqual([
        row.eventType,
        row.published,
        row.published,
      ]);
    }
    expect(report.rows.reduce((sum, r) => sum + r.published, 0)).toBeGreaterThan(500);
    const total = report.rows.reduce((sum, r) => sum + r.published, 0);
    expect(report.verdict).toBe(
      `match: the OLTP app published ${total} events, and the operational store and the analytics store hold every one of them`,
    );
  });

  it('should print the three sides per event type with totals and the verdict', () => {
    const text = formatReconcileReport(report);
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      `published (OLTP app):  ${join(dataDir, 'demo', 'oltp.sqlite')}, table outbox`,
      `operational store:     ${join(dataDir, 'demo', 'operational.sqlite')}, table operational_events (the operational consumer's)`,
      `analytics store:       ${kusto.url} / analytics, raw tables`,
    ]);
    expect(lines[4]).toMatch(
      /^event type\s+raw table\s+published\s+operational\s+analytics\s+dup rows\s+status$/,
    );
    const orderLine = lines.find((l) => l.startsWith('order.placed '));
    const orders = report.rows.find((r) => r.eventType === 'order.placed')!;
    expect(orderLine?.split(/\s+/)).toEqual([
      'order.placed',
      'RawOrderEvents',
      String(orders.published),
      String(orders.operational),
      String(orders.analytics),
      '0',
      'match',
    ]);
    expect(lines[lines.length - 3]).toMatch(/^total\s+(\d+)\s+\1\s+\1\s+0\s+match$/);
    expect(lines[lines.length - 1]).toBe(`verdict: ${report.verdict}`);
  });

  it('should count events published within the settle window as in flight, not missing', async () => {
    const late = await reconcile({
      ...options,
      // Pretend everything was published a moment ago: rows that match stay "match".
      settleMs: 10 * 365 * 86_400_000,
    });
    expect(late.matched).toBe(true);
    expect(late.rows.every((r) => r.inFlight === r.published)).toBe(true);
  });

  it('should tell events the operational consumer has not written yet (in flight) from missing ones', async () => {
    await consumer.close();
    const before = report.rows.reduce((sum, r) => sum + r.published, 0);
    await publishLive(3);
    const stale = await waitForAnalytics();
    const published = stale.rows.reduce((sum, r) => sum + r.published, 0);
    const unwritten = published - before;
    expect(unwritten).toBeGreaterThan(0);
    const behind = stale.rows.filter((r) => r.operational < r.published);
    expect(behind.length).toBeGreaterThan(0);

    // Published within the last minute: on their way to the operational store.
    const recent = await reconcile({ ...options, settleMs: 60_000 });
    expect(recent.matched).toBe(false);
    expect(recent.rows.filter((r) => r.status !== 'match').map((r) => r.eventType)).toEqual(
      behind.map((r) => r.eventType),
    );
    for (const row of recent.rows.filter((r) => r.status !== 'match')) {
      expect([row.operationalStatus, row.analyticsStatus]).toEqual(['in-flight', 'match']);
    }
    expect(recent.verdict).toBe(
      `in flight: of the events published in the last 60 s, ${unwritten} not yet in the operational store; ` +
        'nothing older is missing — run again once the demo is quiet',
    );
    const orderRow = recent.rows.find((r) => r.operationalStatus === 'in-flight')!;
    expect(formatReconcileReport(recent)).toContain(
      `operational in flight ${orderRow.published - orderRow.operational}`,
    );

    // Older than the settle window: missing, and the verdict names the types.
    const old = await reconcile({ ...options, settleMs: 0 });
    expect(old.verdict).toBe(
      `DIFFERS: ${unwritten} event(s) missing from the operational store (${behind.map((r) => r.eventType).join(', ')})`,
    );
    expect(formatReconcileReport(old)).toMatch(/^total\s+\d+\s+\d+\s+\d+\s+0\s+differs$/m);

    // The consumer catches up from the subscription: the three sides match again.
    startConsumer();
    await waitFor(
      'the operational consumer to catch up',
      async () => {
        report = await reconcile(options);
        return report.matched;
      },
      () => formatReconcileReport(report),
    );
  });

  describe('kqlgate demo check', () => {
    beforeAll(async () => {
      await ensureBuilt();
    }, 300_000);

    it('should print the report and exit 0, and exit 1 naming the tables it could not count', async () => {
      const args = [join(repoRoot, 'bin', 'kqlgate.js'), 'demo', 'check', '--data-dir', dataDir, '--strict'];
      const env = { ...process.env, KUSTO_CLUSTER_URL: kusto.url, LOG_LEVEL: 'silent' };
      const ok = await run(process.execPath, [...args, '--routes', ROUTES_FILE], { env, cwd: repoRoot });
      expect(ok.stdout).toContain(
        `published (OLTP app):  ${join(dataDir, 'demo', 'oltp.sqlite')}, table outbox`,
      );
      expect(ok.stdout).toMatch(/^order\.placed\s+RawOrderEvents\s+(\d+)\s+\1\s+\1\s+0\s+match$/m);
      expect(ok.stdout).toMatch(
        /^verdict: match: the OLTP app published \d+ events, and the operational store and /m,
      );
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
    const broken = await reconcile(options);
    expect(broken.matched).toBe(false);
    expect(Object.keys(broken.errors)).toEqual(['RawShipmentEvents']);
    expect(broken.rows.filter((r) => r.status === 'error').map((r) => r.eventType)).toEqual([
      'shipment.delivered',
      'shipment.dispatched',
    ]);
    expect(broken.verdict).toBe('DIFFERS: cannot count RawShipmentEvents in the analytics store');
    expect(formatReconcileReport(broken)).toContain('cannot count RawShipmentEvents: ');
  });

  it('should refuse a data dir without a demo store, saying what to do', async () => {
    const empty = await tempDir('demo-empty');
    dirs.push(empty);
    await expect(reconcile({ ...options, dataDir: empty })).rejects.toThrow(
      `No demo OLTP store at ${join(empty, 'demo', 'oltp.sqlite')}: start the demo first ` +
        '(npm start, or kqlgate demo run) or point --data-dir at the DATA_DIR it used',
    );
  });

  it('should report an operational store the consumer never wrote as a side it cannot count', async () => {
    const producerOnly = await tempDir('demo-producer-only');
    dirs.push(producerOnly);
    OltpStore.open(oltpStorePath(producerOnly)).close();
    const partial = await reconcile({ ...options, dataDir: producerOnly });
    const expected =
      `no operational database at ${join(producerOnly, 'demo', 'operational.sqlite')}: the operational consumer ` +
      'has not run (npm start and kqlgate demo run start it with the demo)';
    expect(partial.operationalError).toBe(expected);
    expect(new Set(partial.rows.map((r) => r.operationalStatus))).toEqual(new Set(['error']));
    expect(partial.verdict).toContain(`cannot count the operational store: ${expected}`);
  });
});
