import { isServiceBusError, ServiceBusClient } from '@azure/service-bus';
import { connect } from 'node:net';
import rhea, { type EventContext } from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServiceBusEmulator } from '../../src/servicebus-emulator.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';
import { startTestBroker, TEST_CONFIG, type TestBroker } from './servicebus-test-broker.js';

function errorCode(error: unknown): string | undefined {
  return isServiceBusError(error) ? error.code : `not a ServiceBusError: ${String(error)}`;
}

/** Sends `payload` after the AMQP protocol header and collects what the broker answers until it hangs up. */
async function rawExchange(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('connect', () => {
      socket.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0]));
      setTimeout(() => socket.write(payload), 100);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

async function expectBrokerServes(broker: TestBroker): Promise<void> {
  const sender = broker.client.createSender('orders');
  await sender.sendMessages({ body: 'still-serving', messageId: 'still-serving' });
  await sender.close();
  const receiver = broker.client.createReceiver('orders', { receiveMode: 'receiveAndDelete' });
  const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
  await receiver.close();
  expect(message.body).toBe('still-serving');
}

describe('ServiceBusBroker bad input', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({ maxMessageSizeBytes: 64 * 1024 });
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('should refuse an unknown entity with MessagingEntityNotFound', async () => {
    const sender = broker.client.createSender('no-such-queue');
    const sendError: unknown = await sender.sendMessages({ body: 'x' }).catch((e: unknown) => e);
    expect(errorCode(sendError)).toBe('MessagingEntityNotFound');
    expect((sendError as Error).message).toContain(
      "The messaging entity 'sb://127.0.0.1/no-such-queue' could not be found.",
    );
    await sender.close();

    const receiver = broker.client.createReceiver('oltp-events', 'no-such-subscription');
    const receiveError: unknown = await receiver
      .receiveMessages(1, { maxWaitTimeInMs: 1000 })
      .catch((e: unknown) => e);
    expect(errorCode(receiveError)).toBe('MessagingEntityNotFound');
    await receiver.close();
    await expectBrokerServes(broker);
  });

  it('should refuse a message over the size limit with MessageSizeExceeded (SDK, advertised limit)', async () => {
    const sender = broker.client.createSender('orders');
    const error: unknown = await sender
      .sendMessages({ body: Buffer.alloc(70 * 1024, 1), messageId: 'too-big' })
      .catch((e: unknown) => e);
    await sender.close();
    expect(errorCode(error)).toBe('MessageSizeExceeded');
    await expectBrokerServes(broker);
  });

  it('should reject an oversized transfer with amqp:link:message-size-exceeded (broker-side check)', async () => {
    // A plain rhea client ignores the advertised max_message_size, so this reaches the broker's own check.
    const container = rhea.create_container();
    const condition = await new Promise<string | undefined>((resolve, reject) => {
      const connection = container.connect({
        host: '127.0.0.1',
        port: broker.emulator.port,
        reconnect: false,
      });
      const sender = connection.open_sender('orders');
      let sent = false;
      sender.on('sendable', () => {
        if (!sent) {
          sent = true;
          sender.send({ body: Buffer.alloc(70 * 1024, 2), message_id: 'raw-too-big' });
        }
      });
      sender.on('rejected', (ctx: EventContext) => {
        const state = ctx.delivery?.remote_state as { error?: { condition?: string } } | undefined;
        connection.close();
        resolve(state?.error?.condition);
      });
      sender.on('accepted', () => {
        connection.close();
        reject(new Error('oversized message was accepted'));
      });
    });
    expect(condition).toBe('amqp:link:message-size-exceeded');
    await expectBrokerServes(broker);
  });

  it('should close a connection that sends a malformed frame with a framing/decode error and keep serving', async () => {
    // A frame header announcing 12 bytes whose body is not a valid performative.
    const garbage = Buffer.from([0, 0, 0, 12, 2, 0, 0, 0, 0xff, 0xfe, 0xfd, 0xfc]);
    const answer = await rawExchange(broker.emulator.port, garbage);
    const text = answer.toString('latin1');
    expect(text.startsWith('AMQP')).toBe(true);
    expect(text).toMatch(/amqp:(connection:framing-error|decode-error)/);
    await expectBrokerServes(broker);
  });
});

describe('startServiceBusEmulator config validation', () => {
  it('should close promptly while a client sits connected without ever opening (no AMQP header)', async () => {
    const dataDir = await tempDir('sb-silent-client');
    const emulator = await startServiceBusEmulator({ port: 0, dataDir, config: TEST_CONFIG });
    const silent = connect(emulator.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      silent.once('connect', resolve);
      silent.once('error', reject);
    });
    const hungUp = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    silent.on('error', () => undefined);
    const started = Date.now();
    await emulator.close();
    // Before: close() waited for this socket forever (only AMQP-open connections were destroyed).
    expect(Date.now() - started).toBeLessThan(2_000);
    await hungUp;
    await removeDir(dataDir);
  });

  it('should refuse to start without a config, saying how to give one', async () => {
    const dataDir = await tempDir('servicebus-no-config');
    await expect(startServiceBusEmulator({ port: 0, dataDir })).rejects.toThrow(
      "No Service Bus emulator config: give the entities as a Config.json in the format of Microsoft's Service Bus " +
        'emulator (configFile, or --config on the command line) or as an object (config).',
    );
    await removeDir(dataDir);
  });

  it('should refuse to start with an invalid rule and name the rule', async () => {
    const dataDir = await tempDir('servicebus-bad-config');
    const config = {
      UserConfig: {
        Namespaces: [
          {
            Name: 'ns',
            Topics: [
              {
                Name: 'events',
                Subscriptions: [
                  {
                    Name: 'sub',
                    Rules: [
                      {
                        Name: 'broken',
                        Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: "color = 'red" } },
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
    await expect(startServiceBusEmulator({ port: 0, dataDir, config })).rejects.toThrow(
      "Invalid Service Bus emulator config (inline config):\n  - UserConfig.Namespaces[0].Topics[0].Subscriptions[0].Rules[0].Properties: rule 'broken' is invalid: unterminated string literal starting at position 9",
    );
    await removeDir(dataDir);
  });
});

describe('ServiceBusBroker token check', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startTestBroker({
      sharedAccessKeyName: 'RootManageSharedAccessKey',
      sharedAccessKey: 'c2VjcmV0LWtleQ==',
    });
  });

  afterAll(async () => {
    await broker.stop();
  });

  it('should accept a token signed with the configured key', async () => {
    await expectBrokerServes(broker);
  });

  it('should refuse a token signed with another key with UnauthorizedAccess', async () => {
    const wrong = broker.emulator.connectionString.replace(
      'SharedAccessKey=c2VjcmV0LWtleQ==',
      'SharedAccessKey=d3Jvbmc=',
    );
    const client = new ServiceBusClient(wrong, { retryOptions: { maxRetries: 0 } });
    const sender = client.createSender('orders');
    const error: unknown = await sender.sendMessages({ body: 'x' }).catch((e: unknown) => e);
    await client.close();
    expect(errorCode(error)).toBe('UnauthorizedAccess');
    expect((error as Error).message).toContain('InvalidSignature');
    await expectBrokerServes(broker);
  });
});
