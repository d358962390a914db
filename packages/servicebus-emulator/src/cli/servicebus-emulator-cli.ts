/**
 * The `servicebus-emulator` command line (bin/servicebus-emulator.js): parses the flags, starts the broker with the
 * entities of a Config.json (the format of Microsoft's Service Bus emulator), prints where it listens and its
 * connection string, and closes it on SIGTERM/SIGINT. kqlgate's `kqlgate emulator servicebus …` runs the same
 * function with its own name, loggers and default config, so both accept exactly the same flags.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import type { Logger } from '../logging/logger.js';
import { startServiceBusEmulator } from '../servicebus-emulator.js';

/** What a host program (kqlgate) changes about the command line; everything has a default. */
export interface ServiceBusEmulatorCliHost {
  /** The command's name in its help and errors; default `servicebus-emulator`. */
  name?: string;
  /** A logger per component (`servicebus-emulator`); default: pino JSON lines on stdout. */
  createLogger?: (component: string) => Logger;
  /** Applies `--log-level` to the loggers of `createLogger`. */
  setLogLevel?: (level: string) => void;
  /** The Config.json used without `--config`; without one, `--config` is required. */
  defaultConfigFile?: string;
}

interface CliOptions {
  port: number;
  host: string;
  dataDir: string;
  config: string;
  logLevel: string;
}

function portOption(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0–65535; 0 picks a free port)`);
  }
  return port;
}

/** Runs until SIGTERM/SIGINT, then closes the broker and exits 0 (1 if closing failed). */
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

type Logging = Required<Pick<ServiceBusEmulatorCliHost, 'createLogger' | 'setLogLevel'>>;

/** The host's loggers, or pino JSON lines on stdout (one child per component). */
function logging(host: ServiceBusEmulatorCliHost): Logging {
  if (host.createLogger) {
    return { createLogger: host.createLogger, setLogLevel: host.setLogLevel ?? (() => undefined) };
  }
  const root = pino({ base: { service: 'servicebus-emulator' } });
  return {
    createLogger: (component) => root.child({ component }),
    setLogLevel: (level) => {
      root.level = level;
    },
  };
}

/**
 * Parses `argv` (the arguments after the command's name) and starts the broker. Resolves once it listens; a bad
 * flag, `--help` or a failed start rejects (a CommanderError for the first two, after commander printed them).
 */
export async function runServiceBusEmulatorCli(
  argv: readonly string[],
  host: ServiceBusEmulatorCliHost = {},
): Promise<void> {
  const name = host.name ?? 'servicebus-emulator';
  const configHelp = "entities, in the format of Microsoft's Service Bus emulator Config.json";
  const program = new Command(name)
    .description(
      'Service Bus-compatible AMQP 1.0 broker (queues, topics, subscriptions, peek-lock, DLQ), durable',
    )
    .option('--port <port>', 'TCP port on 127.0.0.1 (0 = any free port)', portOption, 5672)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--data-dir <dir>', 'where the message store lives', './data/servicebus');
  if (host.defaultConfigFile === undefined) {
    program.requiredOption('--config <file>', configHelp);
  } else {
    program.option('--config <file>', configHelp, host.defaultConfigFile);
  }
  program.option('--log-level <level>', 'log level', 'info').showHelpAfterError().exitOverride();
  program.parse([...argv], { from: 'user' });
  const options = program.opts<CliOptions>();
  const { createLogger, setLogLevel } = logging(host);
  setLogLevel(options.logLevel);
  const running = await startServiceBusEmulator({
    host: options.host,
    port: options.port,
    dataDir: resolve(options.dataDir),
    configFile: resolve(options.config),
    logger: createLogger('servicebus-emulator'),
  });
  process.stdout.write(`servicebus emulator listening on ${options.host}:${running.port}\n`);
  process.stdout.write(`connection string: ${running.connectionString}\n`);
  closeOnSignal(name, () => running.close());
}
