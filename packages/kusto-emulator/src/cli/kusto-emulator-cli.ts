/**
 * The `kusto-emulator` command line (bin/kusto-emulator.js): parses the flags, starts the engine, prints where it
 * listens and closes it on SIGTERM/SIGINT. kqlgate's `kqlgate emulator kusto …` runs the same function with its own
 * name and loggers, so both accept exactly the same flags.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import pino from 'pino';
import { DEFAULT_MEMORY_LIMIT, startKustoEmulator } from '../kusto-emulator.js';
import type { Logger } from '../logging/logger.js';

/** What a host program (kqlgate) changes about the command line; everything has a default. */
export interface KustoEmulatorCliHost {
  /** The command's name in its help and errors; default `kusto-emulator`. */
  name?: string;
  /** A logger per component (`kusto-emulator`, `kql-compiler`); default: pino JSON lines on stdout. */
  createLogger?: (component: string) => Logger;
  /** Applies `--log-level` to the loggers of `createLogger`. */
  setLogLevel?: (level: string) => void;
}

interface CliOptions {
  port: number;
  host: string;
  dataDir: string;
  database: string[];
  memoryLimit: string;
  dataManagement: boolean;
  externalDataRoot?: string;
  maxConcurrentStreamingIngests?: number;
  logLevel: string;
}

function portOption(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0–65535; 0 picks a free port)`);
  }
  return port;
}

function positiveIntegerOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of at least 1`);
  }
  return n;
}

/** Runs until SIGTERM/SIGINT, then closes the engine and exits 0 (1 if closing failed). */
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

type Logging = Required<Pick<KustoEmulatorCliHost, 'createLogger' | 'setLogLevel'>>;

/** The host's loggers, or pino JSON lines on stdout (one child per component). */
function logging(host: KustoEmulatorCliHost): Logging {
  if (host.createLogger) {
    return { createLogger: host.createLogger, setLogLevel: host.setLogLevel ?? (() => undefined) };
  }
  const root = pino({ base: { service: 'kusto-emulator' } });
  return {
    createLogger: (component) => root.child({ component }),
    setLogLevel: (level) => {
      root.level = level;
    },
  };
}

/**
 * Parses `argv` (the arguments after the command's name) and starts the engine. Resolves once it listens; a bad
 * flag, `--help` or a failed start rejects (a CommanderError for the first two, after commander printed them).
 */
export async function runKustoEmulatorCli(
  argv: readonly string[],
  host: KustoEmulatorCliHost = {},
): Promise<void> {
  const name = host.name ?? 'kusto-emulator';
  const program = new Command(name)
    .description(
      'Kusto-compatible engine (Kusto REST v1/v2, management commands, streaming ingestion) on DuckDB',
    )
    .option('--port <port>', 'TCP port on 127.0.0.1 (0 = any free port)', portOption, 8082)
    .option('--host <host>', 'bind address', '127.0.0.1')
    .option('--data-dir <dir>', 'where the DuckDB database files live', './data/kusto')
    .option('--database <name...>', 'databases to create at start if missing', ['analytics'])
    .option(
      '--memory-limit <size>',
      'DuckDB memory limit of each database, e.g. 512MB or 2GB; a query needing more fails (E_LOW_MEMORY_CONDITION)',
      DEFAULT_MEMORY_LIMIT,
    )
    .option(
      '--data-management',
      'also serve the data-management endpoint (queued ingestion): starts Azurite storage under <data-dir>/azurite',
      false,
    )
    .option(
      '--external-data-root <dir>',
      'the folder file:// connection strings of external tables and externaldata may read (unset: local files refused)',
    )
    .option(
      '--max-concurrent-streaming-ingests <n>',
      'streaming ingestion requests handled at once; more are answered 429 (throttled) as ADX does (default: no limit)',
      positiveIntegerOption,
    )
    .option('--log-level <level>', 'log level', 'info')
    .showHelpAfterError()
    .exitOverride();
  program.parse([...argv], { from: 'user' });
  const options = program.opts<CliOptions>();
  const { createLogger, setLogLevel } = logging(host);
  setLogLevel(options.logLevel);
  const running = await startKustoEmulator({
    host: options.host,
    port: options.port,
    dataDir: resolve(options.dataDir),
    databases: options.database,
    memoryLimit: options.memoryLimit,
    dataManagement: options.dataManagement,
    externalDataRoot: options.externalDataRoot === undefined ? undefined : resolve(options.externalDataRoot),
    maxConcurrentStreamingIngests: options.maxConcurrentStreamingIngests,
    logger: createLogger('kusto-emulator'),
    compilerLogger: createLogger('kql-compiler'),
  });
  process.stdout.write(`kusto emulator listening on ${running.url}\n`);
  closeOnSignal(name, () => running.close());
}
