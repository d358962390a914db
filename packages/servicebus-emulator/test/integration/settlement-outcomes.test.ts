import rhea, { type Connection, type Delivery, type EventContext, type Sender } from 'rhea';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './servicebus-test-broker.js';

/** What the broker answered for one transfer: its outcome and, when rejected, the error condition. */
interface Answer {
  outcome: string;
  condition?: string;
  description?: string;
}

/**
 * A plain rhea client on one connection and one session (rhea's default session), so that the transfers of all
 * its links share the delivery-id space that dispositions are written in.
 */
class RawClient {
  private readonly connection: Connection;
  private readonly answers = new Map<string, (answer: Answer) => void>();

  constructor(port: number) {
    this.connection = rhea.create_container().connect({ host: '127.0.0.1', port, reconnect: false });
    const settled = (ctx: EventContext): void => {
      const delivery = ctx.delivery as Delivery & { tag: Buffer };
      const state = delivery.remote_state as
        | { constructor: { composite_type?: string }; error?: { condition?: string; description?: string } }
        | undefined;
      const answer: Answer = { outcome: state?.constructor.composite_type ?? 'none' };
      if (state?.error !== undefined) {
        answer.condition = state.error.condition;
        answer.description = state.error.description;
      }
      this.answers.get(delivery.tag.toString())?.(answer);
    };
    for (const outcome of ['accepted', 'rejected', 'released', 'modified']) {
      this.connection.on(outcome, settled);
    }
  }

  async openSender(address: string): Promise<Sender> {
    const sender = this.connection.open_sender(address);
    await new Promise<void>((resolve) => sender.once('sendable', () => resolve()));
    return sender;
  }

  /** Sends on the given links in one turn (one write) and waits for the broker's outcome of each. */
  async sendTogether(
    transfers: { sender: Sender; tag: string; message: object; format?: number }[],
  ): Promise<Record<string, Answer>> {
    const answers = transfers.map(
      ({ tag }) =>
        new Promise<[string, Answer]>((resolve) => this.answers.set(tag, (a) => resolve([tag, a]))),
    );
    for (const { sender, tag, message, format } of transfers) {
      // rhea encodes the message only when no format is given; with one, `message` is the encoded payload.
      if (format === undefined) {
        sender.send(message as never, Buffer.from(tag));
      } else {
        sender.send(message as never, Buffer.from(tag), format);
      }
    }
    return Object.fromEntries(await Promise.all(answers));
  }

  close(): void {
    this.connection.close();
  }
}

describe('ServiceBusBroker settlement outcomes', () => {
  let broker: TestBroker;
  let client: RawClient;

  beforeAll(async () => {
    broker = await startTestBroker();
    client = new RawClient(broker.emulator.port);
  });

  afterAll(async () => {
    client.close();
    await broker.stop();
  });

  it('should answer each refused transfer of one link with its own error, interleaved with accepted ones', async () => {
    const orders = await client.openSender('orders');
    const sessions = await client.openSender('sessions');
    const answers = await client.sendTogether([
      { sender: orders, tag: 'good-1', message: { message_id: 'good-1', body: 'ok' } },
      { sender: sessions, tag: 'no-session-id', message: { message_id: 'no-session-id-2', body: 'x' } },
      {
        sender: sessions,
        tag: 'bad-format',
        message: rhea.message.encode({ body: 'x' }),
        format: 7,
      },
      { sender: orders, tag: 'good-2', message: { message_id: 'good-2', body: 'ok' } },
      { sender: sessions, tag: 'bad-batch', message: Buffer.from([0xde, 0xad]), format: 0x80013700 },
      {
        sender: sessions,
        tag: 'with-session-id',
        message: { message_id: 'with-session-id', group_id: 's1', body: 'ok' },
      },
    ]);
    expect(answers).toEqual({
      'good-1': { outcome: 'accepted' },
      'no-session-id': expect.objectContaining({
        outcome: 'rejected',
        condition: 'amqp:not-allowed',
      }) as Answer,
      'bad-format': {
        outcome: 'rejected',
        condition: 'amqp:not-implemented',
        description: 'Unsupported AMQP message format 7.',
      },
      'good-2': { outcome: 'accepted' },
      'bad-batch': {
        outcome: 'rejected',
        condition: 'com.microsoft:argument-error',
        description: 'Malformed message: malformed batch envelope: Unrecognised typecode: de',
      },
      'with-session-id': { outcome: 'accepted' },
    });
  });
});
