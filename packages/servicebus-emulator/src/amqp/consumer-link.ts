/**
 * A client receiver link on an entity, as the `MessageConsumer` the entity delivers to: credit, the wire
 * encoding of a delivery, and the lock token each peek-lock delivery stands for.
 */
import type { Delivery, Sender } from 'rhea';
import type { MessageConsumer } from '../entities/message-consumer.js';
import type { MessageEntity } from '../entities/message-entity.js';
import type { StoredMessage } from '../store/stored-message.js';
import type { ReleasableLink } from './connection-registry.js';
import { encodeStoredMessage } from './delivery-encoder.js';
import type { DispositionWriter } from './disposition-writer.js';
import { lockTokenToDeliveryTag } from './message-codec.js';

export interface OutgoingDelivery extends Delivery {
  id: number;
  settled: boolean;
  remote_settled: boolean;
}

interface OutgoingSession {
  next_pending_delivery: number;
  deliveries: { available(): number };
}

/**
 * A client receiver link on an entity: the `MessageConsumer` the entity delivers to.
 *
 * Credit: rhea lowers `sender.credit` only when a transfer is written, so deliveries queued in the same turn
 * are subtracted here; the session's delivery buffer (rhea frees a slot only once both sides settled) caps it
 * too, so a receiver that holds many unsettled messages is throttled instead of overflowing the buffer. A
 * delivery whose lock expired stays known until the client settles it, so that the client gets lock-lost.
 */
export class ConsumerLink implements MessageConsumer, ReleasableLink {
  readonly name: string;
  readonly lockTokens = new WeakMap<Delivery, string>();
  readonly settled = new WeakSet<Delivery>();
  private readonly untransmitted: OutgoingDelivery[] = [];
  closed = false;

  constructor(
    readonly sender: Sender,
    readonly entity: MessageEntity,
    readonly mode: 'peekLock' | 'receiveAndDelete',
    public sessionId: string | null,
    private readonly dispositions: DispositionWriter,
  ) {
    this.name = sender.name;
  }

  private get outgoing(): OutgoingSession {
    return (this.sender as unknown as { session: { outgoing: OutgoingSession } }).session.outgoing;
  }

  credit(): number {
    if (this.closed) {
      return 0;
    }
    const outgoing = this.outgoing;
    while (this.untransmitted.length > 0 && this.untransmitted[0].id < outgoing.next_pending_delivery) {
      this.untransmitted.shift();
    }
    const linkCredit = (this.sender as unknown as { credit: number }).credit - this.untransmitted.length;
    return Math.min(linkCredit, outgoing.deliveries.available() - 1);
  }

  deliver(message: StoredMessage): void {
    const encoded = encodeStoredMessage(message, this.mode === 'peekLock');
    if (this.mode === 'peekLock' && message.lockToken !== undefined) {
      const delivery = this.sender.send(
        encoded,
        lockTokenToDeliveryTag(message.lockToken),
        0,
      ) as OutgoingDelivery;
      this.lockTokens.set(delivery, message.lockToken);
      this.untransmitted.push(delivery);
    } else {
      this.untransmitted.push(this.sender.send(encoded, undefined, 0));
    }
  }

  /** Settles a delivery towards the client and lets rhea free its slot (the client does not settle again). */
  settle(delivery: Delivery, state?: unknown): void {
    this.dispositions.settle(delivery, state, true);
  }

  /** The link or its connection went away: the entity takes back what was locked to it. */
  release(): void {
    this.closed = true;
    this.entity.detach(this);
  }

  terminate(condition: string, description: string): void {
    this.closed = true;
    this.sender.close({ condition, description });
  }
}
