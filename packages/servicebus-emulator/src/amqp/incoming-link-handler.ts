/**
 * Client sender links (client → entity): the attach names the queue or topic; each transfer — a single message
 * or a batch (message format 0x80013700) — is decoded, checked against the size limit and handed to the broker,
 * and the delivery is settled with `accepted` once the store committed it, or `rejected` with the Service Bus
 * error condition.
 */
import type { Delivery, EventContext, Receiver } from 'rhea';
import type { SendTarget, ServiceBusBroker } from '../broker.js';
import { BrokerErrorCode, ServiceBusBrokerError } from '../errors/servicebus-broker-error.js';
import { toAmqpError } from './amqp-error.translator.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { ACCEPTED, type DispositionWriter } from './disposition-writer.js';
import { BATCH_MESSAGE_FORMAT, parseMessage, unpackBatch, type ParsedMessage } from './message-codec.js';
import { amqpMessage } from './rhea-codec.js';

export class IncomingLinkHandler {
  private readonly targets = new WeakMap<Receiver, SendTarget>();

  constructor(
    private readonly broker: ServiceBusBroker,
    private readonly connections: ConnectionRegistry,
    private readonly maxMessageSizeBytes: number,
    private readonly dispositions: DispositionWriter,
  ) {}

  /** Throws (entity not found, unauthorized) when the link cannot be served; the caller refuses the attach. */
  attach(ctx: EventContext, receiver: Receiver, address: string): void {
    this.connections.authorize(ctx.connection, address);
    const target = this.broker.resolveSendTarget(address, this.connections.state(ctx.connection).host);
    (
      receiver as unknown as { local: { attach: { max_message_size: number } } }
    ).local.attach.max_message_size = this.maxMessageSizeBytes;
    this.targets.set(receiver, target);
  }

  onMessage(ctx: EventContext): void {
    const delivery = ctx.delivery as Delivery;
    const target = this.targets.get(ctx.receiver as Receiver);
    if (!target) {
      this.dispositions.settle(
        delivery,
        amqpMessage
          .rejected({ error: { condition: 'amqp:not-found', description: 'The link has no target entity.' } })
          .described(),
      );
      return;
    }
    let parsed: ParsedMessage[];
    try {
      parsed = this.decodeTransfer(ctx);
    } catch (error) {
      this.dispositions.settle(delivery, amqpMessage.rejected({ error: toAmqpError(error) }).described());
      return;
    }
    this.broker.send(target, parsed, (error) => {
      this.dispositions.settle(
        delivery,
        error ? amqpMessage.rejected({ error: toAmqpError(error) }).described() : ACCEPTED,
      );
    });
  }

  private decodeTransfer(ctx: EventContext): ParsedMessage[] {
    const format = (ctx as unknown as { format?: number }).format ?? 0;
    const max = this.maxMessageSizeBytes;
    const tooLarge = (size: number): ServiceBusBrokerError =>
      new ServiceBusBrokerError(
        BrokerErrorCode.MessageSizeExceeded,
        `The received message (size ${size} bytes) exceeds the limit of ${max} bytes of this entity.`,
        { size, max },
      );
    try {
      if (format === BATCH_MESSAGE_FORMAT) {
        const envelope = ctx.message as unknown as Buffer;
        if (envelope.length > max) {
          throw tooLarge(envelope.length);
        }
        return unpackBatch(envelope).map((m) => parseMessage(m));
      }
      if (format !== 0) {
        throw new ServiceBusBrokerError(
          BrokerErrorCode.NotImplemented,
          `Unsupported AMQP message format ${format}.`,
        );
      }
      // rhea decodes format-0 transfers; re-encoding yields the sender's sections (SDK senders encode with rhea).
      const encoded = amqpMessage.encode(ctx.message as object);
      if (encoded.length > max) {
        throw tooLarge(encoded.length);
      }
      return [parseMessage(encoded)];
    } catch (error) {
      if (error instanceof ServiceBusBrokerError) {
        throw error;
      }
      throw new ServiceBusBrokerError(
        BrokerErrorCode.InvalidArgument,
        `Malformed message: ${(error as Error).message}`,
      );
    }
  }
}
