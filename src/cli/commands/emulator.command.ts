import type { Command } from 'commander';
import { createLogger, setLogLevel } from '../../common/logging/logger.js';
import { importOptionalPackage } from '../../common/packages/optional-package.js';
import { servicebusEntitiesFile } from '../../config/servicebus-entities-file.js';

/**
 * `kqlgate emulator kusto|servicebus`: the embedded engine or broker alone, for tools and other apps. Each runs its
 * package's own command line, so the flags are exactly those of `npx kusto-emulator` / `npx servicebus-emulator`
 * (`--help` lists them), with kqlgate's logging; the broker's entities default to kqlgate's
 * config/servicebus-emulator.json.
 */
export function registerEmulatorCommand(program: Command): void {
  const emulator = program
    .command('emulator')
    .description('run the embedded Kusto engine or Service Bus broker on its own');

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
      const { runKustoEmulatorCli } = await importOptionalPackage(
        '@kqlgate/kusto-emulator',
        'emulator kusto',
        () => import('@kqlgate/kusto-emulator/cli'),
      );
      await runKustoEmulatorCli(flags, { name: 'kqlgate emulator kusto', createLogger, setLogLevel });
    });

  emulator
    .command('servicebus')
    .description(
      'Service Bus-compatible AMQP 1.0 broker (queues, topics, subscriptions, peek-lock, DLQ), durable ' +
        '(@kqlgate/servicebus-emulator; --help lists its flags)',
    )
    .argument('[flags...]', 'the flags of servicebus-emulator: --port, --host, --data-dir, --config…')
    .helpOption(false)
    .allowUnknownOption()
    .action(async (flags: string[]) => {
      const { runServiceBusEmulatorCli } = await importOptionalPackage(
        '@kqlgate/servicebus-emulator',
        'emulator servicebus',
        () => import('@kqlgate/servicebus-emulator/cli'),
      );
      await runServiceBusEmulatorCli(flags, {
        name: 'kqlgate emulator servicebus',
        createLogger,
        setLogLevel,
        defaultConfigFile: servicebusEntitiesFile(),
      });
    });
}
