/**
 * Entry point of the Service Bus-compatible broker: loads the entity config (the format of Microsoft's emulator
 * Config.json), opens the durable store, starts the AMQP listener and returns the connection string clients use.
 *
 * Connection string: `Endpoint=sb://127.0.0.1:PORT;…;UseDevelopmentEmulator=true`. With
 * `UseDevelopmentEmulator=true` the SDK (core-amqp) connects over plain TCP and takes the port from the
 * endpoint when one is given (5672 otherwise), so any free port works.
 */
import { readFileSync } from 'node:fs';
import { AmqpServer } from './amqp/amqp-server.js';
import { ServiceBusBroker } from './broker.js';
import { BrokerMetrics, type BrokerMetricsOptions } from './broker-metrics.js';
import { parseEntitiesConfig } from './entities/entity-config.js';
import { BrokerErrorCode, ServiceBusBrokerError } from './errors/servicebus-broker-error.js';
import { silentLogger, type Logger } from './logging/logger.js';
import { MessageStore } from './store/message-store.js';

export interface ServiceBusEmulatorOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /**
   * The entities (queues, topics, subscriptions and their rules), in the format of Microsoft's emulator Config.json.
   * One of `configFile` and `config` is required.
   */
  configFile?: string;
  /** An already-parsed config object; wins over `configFile`. */
  config?: unknown;
  /** Largest accepted transfer; default 256 KiB (the Standard tier limit). */
  maxMessageSizeBytes?: number;
  sharedAccessKeyName?: string;
  /** When set, `$cbs` tokens must be signed with it and links need a valid token. */
  sharedAccessKey?: string;
  /** 'process' (default) survives kill -9; 'full' also survives an OS crash, at a large throughput cost. */
  durability?: 'process' | 'full';
  /** Where the broker logs; default: nowhere. */
  logger?: Logger;
  /** Registry and name prefix of the broker's Prometheus metrics; default prom-client's, `servicebus_emulator_`. */
  metrics?: BrokerMetricsOptions;
}

export interface RunningServiceBusEmulator {
  port: number;
  connectionString: string;
  close(): Promise<void>;
}

export const DEFAULT_MAX_MESSAGE_SIZE_BYTES = 256 * 1024;

function loadConfig(options: ServiceBusEmulatorOptions): { config: unknown; source: string } {
  if (options.config !== undefined) {
    return { config: options.config, source: 'inline config' };
  }
  const file = options.configFile;
  if (file === undefined) {
    throw new ServiceBusBrokerError(
      BrokerErrorCode.InvalidConfig,
      "No Service Bus emulator config: give the entities as a Config.json in the format of Microsoft's Service Bus " +
        'emulator (configFile, or --config on the command line) or as an object (config).',
    );
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ServiceBusBrokerError(
      BrokerErrorCode.InvalidConfig,
      `Cannot read the Service Bus emulator config '${file}': ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
  try {
    return { config: JSON.parse(text) as unknown, source: file };
  } catch (error) {
    throw new ServiceBusBrokerError(
      BrokerErrorCode.InvalidConfig,
      `The Service Bus emulator config '${file}' is not valid JSON: ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
}

export async function startServiceBusEmulator(
  options: ServiceBusEmulatorOptions,
): Promise<RunningServiceBusEmulator> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const { config, source } = loadConfig(options);
  const entities = parseEntitiesConfig(config, source);
  const store = new MessageStore({ dataDir: options.dataDir, durability: options.durability });
  const broker = new ServiceBusBroker(entities, store, logger, new BrokerMetrics(options.metrics));
  let server: AmqpServer;
  let port: number;
  try {
    broker.start();
    server = new AmqpServer(broker, {
      host,
      port: options.port,
      maxMessageSizeBytes: options.maxMessageSizeBytes ?? DEFAULT_MAX_MESSAGE_SIZE_BYTES,
      sharedAccessKeyName: options.sharedAccessKeyName,
      sharedAccessKey: options.sharedAccessKey,
      logger,
    });
    port = await server.listen();
  } catch (error) {
    broker.close();
    store.close();
    throw error;
  }
  const keyName = options.sharedAccessKeyName ?? 'RootManageSharedAccessKey';
  const key = options.sharedAccessKey ?? 'SAS_KEY_VALUE';
  const connectionHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  logger.info({ host, port, config: source, dataDir: options.dataDir }, 'servicebus emulator listening');
  let closed: Promise<void> | undefined;
  return {
    port,
    connectionString: `Endpoint=sb://${connectionHost}:${port};SharedAccessKeyName=${keyName};SharedAccessKey=${key};UseDevelopmentEmulator=true`,
    close(): Promise<void> {
      closed ??= (async () => {
        await server.close();
        broker.close();
        store.close();
      })();
      return closed;
    },
  };
}
