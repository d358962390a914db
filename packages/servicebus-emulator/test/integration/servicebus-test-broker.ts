import { ServiceBusClient } from '@azure/service-bus';
import {
  startServiceBusEmulator,
  type RunningServiceBusEmulator,
  type ServiceBusEmulatorOptions,
} from '../../src/servicebus-emulator.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';

/** Entities the broker tests use; short lock durations keep expiry tests fast. */
export const TEST_CONFIG = {
  UserConfig: {
    Namespaces: [
      {
        Name: 'sbemulatorns',
        Queues: [
          { Name: 'orders', Properties: { LockDuration: 'PT30S', MaxDeliveryCount: 3 } },
          { Name: 'short-lock', Properties: { LockDuration: 'PT1S', MaxDeliveryCount: 5 } },
          { Name: 'sessions', Properties: { RequiresSession: true, LockDuration: 'PT30S' } },
          {
            Name: 'dedup',
            Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT1M' },
          },
          {
            Name: 'expiring',
            Properties: { DefaultMessageTimeToLive: 'PT1S', DeadLetteringOnMessageExpiration: true },
          },
          { Name: 'forwarder', Properties: { ForwardTo: 'orders-forwarded' } },
          { Name: 'orders-forwarded' },
        ],
        Topics: [
          {
            Name: 'oltp-events',
            Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT10M' },
            Subscriptions: [
              { Name: 'analytics', Properties: { MaxDeliveryCount: 10 } },
              { Name: 'operational', Properties: { MaxDeliveryCount: 10 } },
              {
                Name: 'orders-only',
                Rules: [
                  {
                    Name: 'orders',
                    Properties: {
                      FilterType: 'Correlation',
                      CorrelationFilter: { Label: 'order', Properties: { region: 'eu' } },
                    },
                  },
                ],
              },
              {
                Name: 'big-amounts',
                Rules: [
                  {
                    Name: 'sql',
                    Properties: {
                      FilterType: 'Sql',
                      SqlFilter: {
                        SqlExpression: "amount > 100 AND (kind IN ('a','b') OR sys.Label LIKE 'vip%')",
                      },
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
};

export interface TestBroker {
  readonly emulator: RunningServiceBusEmulator;
  readonly client: ServiceBusClient;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export async function startTestBroker(
  overrides: Partial<ServiceBusEmulatorOptions> = {},
): Promise<TestBroker> {
  const dataDir = overrides.dataDir ?? (await tempDir('servicebus'));
  const emulator = await startServiceBusEmulator({ port: 0, dataDir, config: TEST_CONFIG, ...overrides });
  const client = new ServiceBusClient(emulator.connectionString, {
    retryOptions: { maxRetries: 1, retryDelayInMs: 100 },
  });
  return {
    emulator,
    client,
    dataDir,
    async stop(): Promise<void> {
      await client.close();
      await emulator.close();
      if (overrides.dataDir === undefined) {
        await removeDir(dataDir);
      }
    },
  };
}
