/**
 * The embedded broker and engine on free 127.0.0.1 ports with temp data dirs, plus the helpers the ingestion
 * tests share: create the test table + mapping with real mgmt commands, send events with the real SDK, count
 * rows with KQL, read the dead-letter queue, wait for the subscription to drain.
 */
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { Client, KustoConnectionStringBuilder } from 'azure-kusto-data';
import { DEFAULT_BACKOFF } from '../../../src/ingestion/backoff.js';
import type { IngestionSettings } from '../../../src/ingestion/ingestion-factory.js';
import {
  startKustoEmulator,
  type DataManagementOptions,
  type RunningKustoEmulator,
} from '@kqlgate/kusto-emulator';
import { startServiceBusEmulator, type RunningServiceBusEmulator } from '@kqlgate/servicebus-emulator';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

export const TOPIC = 'oltp-events';
export const SUBSCRIPTION = 'analytics';
export const DATABASE = 'analytics';
export const TABLE = 'IngestEvents';
export const MAPPING = 'IngestEvents_json';

export interface StackOptions {
  lockDuration?: string;
  duplicateDetection?: boolean;
  /** A broker running elsewhere (another process): no embedded broker is started, this one is used instead. */
  brokerConnectionString?: string;
  /** Where the engine keeps its data (default: a temp dir the stack removes). */
  kustoDataDir?: string;
  /** Serve the data-management endpoint (queued ingestion) too. */
  dataManagement?: DataManagementOptions;
  /** The engine's streaming ingestion capacity (maxConcurrentStreamingIngests): more at once are answered 429. */
  maxConcurrentStreamingIngests?: number;
}

export function brokerConfig(options: StackOptions = {}): unknown {
  return {
    UserConfig: {
      Namespaces: [
        {
          Name: 'sbemulatorns',
          Queues: [],
          Topics: [
            {
              Name: TOPIC,
              Properties: {
                DefaultMessageTimeToLive: 'P14D',
                DuplicateDetectionHistoryTimeWindow: 'PT10M',
                RequiresDuplicateDetection: options.duplicateDetection ?? false,
              },
              Subscriptions: [
                {
                  Name: SUBSCRIPTION,
                  Properties: {
                    DeadLetteringOnMessageExpiration: true,
                    DefaultMessageTimeToLive: 'P14D',
                    LockDuration: options.lockDuration ?? 'PT30S',
                    MaxDeliveryCount: 10,
                    RequiresSession: false,
                  },
                  Rules: [],
                },
              ],
            },
          ],
        },
      ],
      Logging: { Type: 'Console' },
    },
  };
}

export class IngestionStack {
  kusto!: RunningKustoEmulator;
  /** Undefined when the stack uses a broker running elsewhere (StackOptions.brokerConnectionString). */
  broker?: RunningServiceBusEmulator;
  kustoClient!: Client;
  serviceBus!: ServiceBusClient;
  private kustoDir!: string;
  private brokerDir!: string;

  constructor(private readonly options: StackOptions = {}) {}

  async start(): Promise<void> {
    this.kustoDir = this.options.kustoDataDir ?? (await tempDir('ingest-kusto'));
    this.brokerDir = await tempDir('ingest-sb');
    // Side by side: the engine's start waits on Azurite (a child process) when it serves data management.
    await Promise.all([
      startKustoEmulator({
        port: 0,
        dataDir: this.kustoDir,
        databases: [DATABASE],
        dataManagement: this.options.dataManagement,
        maxConcurrentStreamingIngests: this.options.maxConcurrentStreamingIngests,
        // As `npm start` does on a first start: Kusto.Language's start-up is paid while the broker starts and the
        // tables are created, not by the pipeline's first dedup lookup (8 s of a 10 s wait on a loaded 2-core machine).
        warmUpCompiler: true,
      }).then((kusto) => {
        this.kusto = kusto;
      }),
      this.options.brokerConnectionString === undefined &&
        startServiceBusEmulator({
          port: 0,
          dataDir: this.brokerDir,
          config: brokerConfig(this.options),
          maxMessageSizeBytes: 1024 * 1024,
        }).then((broker) => {
          this.broker = broker;
        }),
    ]);
    this.kustoClient = new Client(new KustoConnectionStringBuilder(this.kusto.url));
    this.serviceBus = new ServiceBusClient(this.brokerConnectionString);
  }

  get brokerConnectionString(): string {
    return this.options.brokerConnectionString ?? this.broker!.connectionString;
  }

  /** Stops the engine (the outage test); `restartKusto` brings it back on the same port and data. */
  async stopKusto(): Promise<void> {
    await this.kusto.close();
  }

  /** `dataManagement` replaces the stack's options for this start; the storage keeps its ports. */
  async restartKusto(dataManagement = this.options.dataManagement): Promise<void> {
    const storagePorts = this.kusto.storagePorts;
    this.kusto = await startKustoEmulator({
      port: this.kusto.port,
      dataDir: this.kustoDir,
      databases: [DATABASE],
      dataManagement: dataManagement && { ...dataManagement, storagePorts },
      maxConcurrentStreamingIngests: this.options.maxConcurrentStreamingIngests,
      warmUpCompiler: true,
    });
  }

  async stop(): Promise<void> {
    await this.serviceBus?.close();
    this.kustoClient?.close();
    await this.broker?.close();
    await this.kusto?.close();
    if (this.options.kustoDataDir === undefined) {
      await removeDir(this.kustoDir);
    }
    await removeDir(this.brokerDir);
  }

  async createTable(table = TABLE, mapping = MAPPING): Promise<void> {
    await this.kustoClient.execute(
      DATABASE,
      `.create-merge table ${table} (MessageId: string, Seq: long, Kind: string, Payload: string)`,
    );
    const columns = [
      { column: 'MessageId', Properties: { Path: '$.messageId' } },
      { column: 'Seq', Properties: { Path: '$.seq' } },
      { column: 'Kind', Properties: { Path: '$.kind' } },
      { column: 'Payload', Properties: { Path: '$.payload' } },
    ];
    await this.kustoClient.execute(
      DATABASE,
      `.create-or-alter table ${table} ingestion json mapping "${mapping}" '${JSON.stringify(columns)}'`,
    );
  }

  /** One query answering total rows and distinct message ids. */
  async counts(table = TABLE): Promise<{ rows: number; distinct: number }> {
    const response = await this.kustoClient.execute(
      DATABASE,
      `${table} | summarize rows = count(), distinct = dcount(MessageId)`,
    );
    const row = response.primaryResults[0].toJSON<{ rows: number; distinct: number }>().data[0];
    return { rows: Number(row.rows), distinct: Number(row.distinct) };
  }

  /** Sends in SDK batches (createMessageBatch) — the way a real producer publishes at volume. */
  async send(messages: ServiceBusMessage[]): Promise<void> {
    const sender = this.serviceBus.createSender(TOPIC);
    try {
      let batch = await sender.createMessageBatch();
      for (const message of messages) {
        if (!batch.tryAddMessage(message)) {
          await sender.sendMessages(batch);
          batch = await sender.createMessageBatch();
          if (!batch.tryAddMessage(message)) {
            throw new Error(`message ${String(message.messageId)} does not fit in an empty batch`);
          }
        }
      }
      if (batch.count > 0) {
        await sender.sendMessages(batch);
      }
    } finally {
      await sender.close();
    }
  }

  /** True when nothing (active or locked) is left in the subscription. */
  async subscriptionEmpty(): Promise<boolean> {
    const receiver = this.serviceBus.createReceiver(TOPIC, SUBSCRIPTION);
    try {
      return (await receiver.peekMessages(1)).length === 0;
    } finally {
      await receiver.close();
    }
  }

  /** Drains the DLQ (receiveAndDelete) and returns reason + description per message id. */
  async drainDeadLetters(): Promise<Array<{ messageId: string; reason?: string; description?: string }>> {
    const receiver = this.serviceBus.createReceiver(TOPIC, SUBSCRIPTION, {
      subQueueType: 'deadLetter',
      receiveMode: 'receiveAndDelete',
    });
    const result: Array<{ messageId: string; reason?: string; description?: string }> = [];
    try {
      for (;;) {
        // A receive from an empty queue waits out its maxWaitTimeInMs; a peek answers at once.
        if ((await receiver.peekMessages(1)).length === 0) {
          return result;
        }
        const batch = await receiver.receiveMessages(500, { maxWaitTimeInMs: 1_000 });
        for (const m of batch) {
          result.push({
            messageId: String(m.messageId),
            reason: m.deadLetterReason,
            description: m.deadLetterErrorDescription,
          });
        }
      }
    } finally {
      await receiver.close();
    }
  }

  settings(
    overrides: Partial<IngestionSettings['pipeline']> = {},
    kusto: Partial<IngestionSettings['kusto']> = {},
  ): IngestionSettings {
    return {
      serviceBus: {
        connectionString: this.brokerConnectionString,
        topic: TOPIC,
        subscription: SUBSCRIPTION,
        maxConcurrentCalls: 500,
      },
      kusto: { clusterUrl: this.kusto.url, mode: 'streaming', ...kusto },
      routes: { property: 'kind', routes: { good: { table: TABLE, mapping: MAPPING } } },
      pipeline: {
        database: DATABASE,
        batch: { maxEvents: 1000, maxBytes: 1_000_000, maxAgeMs: 100 },
        maxInFlight: 1500,
        maxParallelIngests: 4,
        dedup: 'table',
        dedupColumn: 'MessageId',
        backoff: { ...DEFAULT_BACKOFF, maxMs: 2_000 },
        drainTimeoutMs: 10_000,
        unreachableThresholdMs: 5_000,
        ...overrides,
      },
    };
  }
}

export function event(seq: number, extra: Partial<ServiceBusMessage> = {}): ServiceBusMessage {
  return {
    messageId: `evt-${seq}`,
    body: { seq, kind: 'good', payload: `payload-${seq}` },
    applicationProperties: { kind: 'good' },
    contentType: 'application/json',
    ...extra,
  };
}

export async function waitUntil(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs = 110_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
