import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { createLogger, setLogLevel } from '../../common/logging/logger.js';
import { startServiceBusEmulator } from '../../embedded/servicebus/servicebus-emulator.js';

function portOption(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0–65535; 0 picks a free port)`);
  }
  return port;
}

/** Runs until SIGTERM/SIGINT, then closes the emulator and exits 0 (1 if closing failed). */
function closeOnSignal(name: string, close: () => Promise<void>): void {
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) {
        process.exit(1);
      }
      closing = true;
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`${name}: failed to close cleanly: ${String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
}

/** `kqlgate emulator kusto|servicebus`: the embedded engine or broker alone, for tools and other apps. */
export function registerEmulatorCommand(program: Command): void {
  const emulator = program
    .command('emulator')
    .description('run the embedded Kusto engine or Service Bus broker on its own');

  // The package's own command line, so the flags are exactly those of `npx kusto-emulator`, with kqlgate's logging.
  emulator
    .command('kusto')
    .description(
      'Kusto-compatible engine (Kusto REST v1/v2, management commands, streaming ingestion) on DuckDB ' +
        '(@kqlgate/kusto-emulator; --help lists its flags)',
    )
    .argument(
      '[flags...]',
      'the flags of kusto-emulator: --port, --host, --data-dir, --database, --memory-limit…',
    )
    .helpOption(false)
    .allowUnknownOption()
    .action(async (flags: string[]) => {
      const { runKustoEmulatorCli } = await import('@kqlgate/kusto-emulator/cli');
      await runKustoEmulatorCli(flags, { name: 'kqlgate emulator kusto', createLogger, setLogLevel });
    });

  emulator
    .command('servicebus')
    .description(
      'Service Bus-compatible AMQP 1.0 broker (queues, topics, subscriptions, peek-lock, DLQ), durable',
    )
    .option('--port <port>', 'TCP port on 127.0.0.1 (0 = any free port)', portOption, 5672)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--data-dir <dir>', 'where the message store lives', './data/servicebus')
    .option('--config <file>', "entities, in the format of Microsoft's Service Bus emulator Config.json")
    .option('--log-level <level>', 'log level', 'info')
    .action(
      async (options: { port: number; host: string; dataDir: string; config?: string; logLevel: string }) => {
        setLogLevel(options.logLevel);
        const running = await startServiceBusEmulator({
          host: options.host,
          port: options.port,
          dataDir: resolve(options.dataDir),
          configFile: options.config ? resolve(options.config) : undefined,
          logger: createLogger('servicebus-emulator'),
        });
        process.stdout.write(`servicebus emulator listening on ${options.host}:${running.port}\n`);
        process.stdout.write(`connection string: ${running.connectionString}\n`);
        closeOnSignal('servicebus emulator', () => running.close());
      },
    );
}
