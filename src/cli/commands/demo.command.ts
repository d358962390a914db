import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { createLogger, setLogLevel } from '../../common/logging/logger.js';
import { PACKAGE_METRIC_PREFIXES } from '../../common/metrics/metrics.registry.js';
import { importOptionalPackage } from '../../common/packages/optional-package.js';
import { loadConfig } from '../../config/load-config.js';
import { kustoConnection } from '../../common/azure/kusto-connection.js';
import { loadRouteTable } from '../../ingestion/route-table-loader.js';

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a whole number`);
  }
  return Number(value);
}

interface RunOptions {
  rate?: number;
  seed?: number;
  backfillDays?: number;
  dataDir?: string;
  connectionString?: string;
  topic?: string;
  /** false with --no-consumer. */
  consumer: boolean;
}

interface CheckOptions {
  dataDir?: string;
  cluster?: string;
  database?: string;
  routes: string;
  settleSeconds: number;
  strict?: boolean;
  json?: boolean;
}

/**
 * `kqlgate demo run` runs the demo alone — the OLTP producer and the operational consumer, as npm start does;
 * `kqlgate demo check` counts events per type on the three sides (published by the OLTP app, written into the
 * operational store, ingested into Kusto) and prints them with a verdict. Options default to the environment
 * (DEMO_*, DATA_DIR, SERVICEBUS_*, KUSTO_*), as in npm start.
 */
export function registerDemoCommand(program: Command): void {
  const demo = program
    .command('demo')
    .description(
      'the demo e-commerce/payments OLTP app (producer) and the operational consumer standing in for its function app',
    );

  demo
    .command('run')
    .description(
      'publish simulated shop events to the Service Bus topic and write the operational subscription into the operational store, until Ctrl-C',
    )
    .option('--rate <n>', 'events per second (default DEMO_RATE)', wholeNumber)
    .option('--seed <n>', 'PRNG seed (default DEMO_SEED)', wholeNumber)
    .option('--backfill-days <n>', 'days of history on first start (default DEMO_BACKFILL_DAYS)', wholeNumber)
    .option('--data-dir <dir>', 'where demo/oltp.sqlite and demo/operational.sqlite live (default DATA_DIR)')
    .option(
      '--connection-string <cs>',
      'Service Bus connection string (default: SERVICEBUS_* or the embedded broker)',
    )
    .option('--topic <name>', 'topic (default SERVICEBUS_TOPIC)')
    .option(
      '--no-consumer',
      "do not run the operational consumer (another application reads the topic's operational subscription)",
    )
    .action(async (options: RunOptions) => {
      const config = loadConfig();
      setLogLevel(config.LOG_LEVEL);
      const connectionString = options.connectionString ?? config.serviceBusConnectionString;
      if (!connectionString) {
        throw new Error(
          'kqlgate demo run needs a Service Bus connection string: pass --connection-string or set ' +
            'SERVICEBUS_CONNECTION_STRING (SERVICEBUS_NAMESPACE alone is not supported by the demo producer)',
        );
      }
      const rate = options.rate ?? config.DEMO_RATE;
      if (rate === 0) {
        process.stdout.write('demo producer disabled (rate 0)\n');
        return;
      }
      const topic = options.topic ?? config.SERVICEBUS_TOPIC;
      const dataDir = resolve(options.dataDir ?? config.DATA_DIR);
      const { DemoProducer, OperationalConsumer } = await importOptionalPackage(
        '@kqlgate/demo-shop',
        'demo run',
        () => import('@kqlgate/demo-shop'),
      );
      const consumer = options.consumer
        ? new OperationalConsumer({
            connectionString,
            topic,
            dataDir,
            logger: createLogger('demo-operational-consumer'),
          })
        : undefined;
      const producer = new DemoProducer({
        connectionString,
        topic,
        rate,
        seed: options.seed ?? config.DEMO_SEED,
        backfillDays: options.backfillDays ?? config.DEMO_BACKFILL_DAYS,
        backfillEvents: config.DEMO_BACKFILL_EVENTS,
        dataDir,
        logger: createLogger('demo-producer'),
        metrics: { prefix: PACKAGE_METRIC_PREFIXES.demoShop },
      });
      await consumer?.start();
      await producer.start();
      process.stdout.write(
        `demo producer running (${rate} events/s, store ${producer.storeFile})` +
          (consumer
            ? `; operational consumer writing ${consumer.storeFile}`
            : '; no operational consumer (--no-consumer)') +
          '; Ctrl-C stops\n',
      );
      await new Promise<void>((done) => {
        const stop = () => {
          producer
            .stop()
            .then(() => consumer?.close())
            .then(done, (error: unknown) => {
              process.stderr.write(`kqlgate demo run: failed to stop cleanly: ${String(error)}\n`);
              process.exitCode = 1;
              done();
            });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const stats = producer.stats();
      const written = consumer?.stats();
      process.stdout.write(
        `demo stopped: ${stats.published} events published, ${stats.unsent} unsent` +
          (written
            ? `; ${written.written} written to the operational store, ${written.deadLettered} dead-lettered`
            : '') +
          '\n',
      );
    });

  demo
    .command('check')
    .description(
      'count events per type on three sides — published by the OLTP app, in the operational store, in Kusto — and print them with a verdict',
    )
    .option('--data-dir <dir>', 'DATA_DIR of the demo (default DATA_DIR)')
    .option('--cluster <url>', 'Kusto query URL (default KUSTO_CLUSTER_URL or the embedded engine)')
    .option('--database <name>', 'database (default KUSTO_DATABASE)')
    .option('--routes <file>', 'eventType → raw table routes', 'kql/ingestion-routes.json')
    .option('--settle-seconds <n>', 'events published this recently count as in flight', wholeNumber, 10)
    .option('--strict', 'exit 1 unless every event type matches')
    .option('--json', 'print the report as JSON')
    .action(async (options: CheckOptions) => {
      const config = loadConfig();
      const { formatReconcileReport, reconcile } = await importOptionalPackage(
        '@kqlgate/demo-shop',
        'demo check',
        () => import('@kqlgate/demo-shop'),
      );
      try {
        const clusterUrl = options.cluster ?? config.kustoClusterUrl;
        const routesFile = resolve(options.routes);
        const report = await reconcile({
          dataDir: resolve(options.dataDir ?? config.DATA_DIR),
          clusterUrl,
          // --cluster names another engine: KUSTO_AUTH decides for it as for a configured cluster.
          kusto: kustoConnection(clusterUrl, options.cluster ? config.KUSTO_AUTH : config.kustoAuth),
          database: options.database ?? config.KUSTO_DATABASE,
          routes: loadRouteTable(routesFile).routes,
          routesSource: routesFile,
          settleMs: options.settleSeconds * 1000,
        });
        process.stdout.write(
          `${options.json ? JSON.stringify(report, null, 2) : formatReconcileReport(report)}\n`,
        );
        const uncounted = report.operationalError !== null || Object.keys(report.errors).length > 0;
        if (uncounted || (options.strict && !report.matched)) {
          process.exitCode = 1;
        }
      } catch (error) {
        process.stderr.write(`kqlgate demo check: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
