/**
 * Client receiver links (entity → client): attach (peek-lock or receive-and-delete, session receivers waiting
 * for a session), credit and drain, and the client's settlements — complete, abandon, defer, dead-letter — each
 * answered with the outcome once the store committed it, or rejected with the lock-lost condition.
 */
import type { Delivery, EventContext, Sender, Session } from 'rhea';
import type { ServiceBusBroker } from '../broker.js';
import type { MessageEntity } from '../entities/message-entity.js';
import {
  BrokerErrorCode,
  plainReceiverOnEntityWithSessions,
  ServiceBusBrokerError,
  sessionReceiverOnEntityWithoutSessions,
} from '../errors/servicebus-broker-error.js';
import type { Logger } from '../logging/logger.js';
import { toAmqpError } from './amqp-error.translator.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { ConsumerLink } from './consumer-link.js';
import { ACCEPTED, type DispositionWriter } from './disposition-writer.js';
import { refuseLink } from './link-refusal.js';
import { amqpMessage, amqpTypes } from './rhea-codec.js';

const SESSION_FILTER = 'com.microsoft:session-filter';
const DOTNET_EPOCH_TICKS = 621355968000000000n;

/** Link property `com.microsoft:locked-until-utc`: .NET ticks as an 8-byte long (beyond 2^53). */
function dotNetTicks(ms: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(ms) * 10000n + DOTNET_EPOCH_TICKS);
  return buffer;
}

export class OutgoingLinkHandler {
  private readonly consumers = new WeakMap<Sender, ConsumerLink>();

  constructor(
    private readonly broker: ServiceBusBroker,
    private readonly connections: ConnectionRegistry,
    private readonly logger: Logger,
    private readonly dispositions: DispositionWriter,
  ) {}

  /** A client receiver on `address` (its target already echoed by the server). */
  attach(ctx: EventContext, sender: Sender): void {
    const source =
      (sender.source as { address?: string; filter?: Record<string, unknown> } | undefined) ?? {};
    const address = source.address ?? '';
    const state = this.connections.state(ctx.connection);
    let entity: MessageEntity;
    try {
      this.connections.authorize(ctx.connection, address);
      entity = this.broker.resolveEntity(address, state.host);
      if (entity.kind === 'topic-schedule') {
        throw new ServiceBusBrokerError(
          BrokerErrorCode.NotAllowed,
          `Cannot receive from topic '${address}'; receive from a subscription.`,
        );
      }
    } catch (error) {
      sender.set_source({ address });
      refuseLink(sender, toAmqpError(error), this.logger);
      return;
    }
    const remoteAttach = (
      sender as unknown as {
        remote: {
          attach: {
            snd_settle_mode?: number;
            rcv_settle_mode?: number;
            properties?: Record<string, unknown>;
          };
        };
      }
    ).remote.attach;
    const mode = remoteAttach.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    const local = (sender as unknown as { local: { attach: Record<string, unknown> } }).local.attach;
    local.snd_settle_mode = remoteAttach.snd_settle_mode ?? 0;
    local.rcv_settle_mode = remoteAttach.rcv_settle_mode ?? 0;
    const filter = source.filter;
    const wantsSession = filter !== undefined && filter !== null && SESSION_FILTER in filter;
    const consumer = new ConsumerLink(sender, entity, mode, null, this.dispositions);
    this.consumers.set(sender, consumer);
    if (!entity.requiresSession) {
      sender.set_source({ address });
      if (wantsSession) {
        refuseLink(sender, toAmqpError(sessionReceiverOnEntityWithoutSessions(entity.path)), this.logger);
        return;
      }
      state.consumers.add(consumer);
      entity.attach(consumer);
      return;
    }
    if (!wantsSession) {
      sender.set_source({ address });
      refuseLink(sender, toAmqpError(plainReceiverOnEntityWithSessions(entity.path)), this.logger);
      return;
    }
    const requested = filter[SESSION_FILTER];
    const timeout = Number(remoteAttach.properties?.['com.microsoft:timeout'] ?? 60_000);
    // rhea opened the link when the attach arrived and writes the reply after this handler; accepting the next
    // session may have to wait for one, so withdraw that pending open and re-open once the session is granted.
    const linkState = (sender as unknown as { state: { local_open: boolean; open_requests: number } }).state;
    linkState.local_open = false;
    linkState.open_requests = 0;
    entity.acceptSession(
      consumer,
      typeof requested === 'string' ? requested : null,
      timeout,
      (error, sessionId, lockedUntil) => {
        if (consumer.closed) {
          return;
        }
        if (error || sessionId === undefined || lockedUntil === undefined) {
          sender.set_source({ address });
          sender.open();
          refuseLink(sender, toAmqpError(error), this.logger);
          return;
        }
        consumer.sessionId = sessionId;
        sender.set_source({ address, filter: { [SESSION_FILTER]: sessionId } });
        local.properties = {
          'com.microsoft:locked-until-utc': amqpTypes.wrap_long(dotNetTicks(lockedUntil) as never),
        };
        sender.open();
        state.consumers.add(consumer);
        entity.attach(consumer);
      },
    );
  }

  onSendable(ctx: EventContext): void {
    this.consumers.get(ctx.sender as Sender)?.entity.pump();
  }

  onLinkClosed(ctx: EventContext): void {
    const consumer = ctx.sender ? this.consumers.get(ctx.sender) : undefined;
    if (consumer) {
      consumer.release();
      this.connections.state(ctx.connection).consumers.delete(consumer);
    }
  }

  onSessionClosed(ctx: EventContext, session: Session): void {
    const state = this.connections.state(ctx.connection);
    for (const consumer of state.consumers) {
      if (
        consumer instanceof ConsumerLink &&
        (consumer.sender as unknown as { session: unknown }).session === session
      ) {
        consumer.release();
        state.consumers.delete(consumer);
      }
    }
  }

  onDraining(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const consumer = this.consumers.get(sender);
    if (!consumer) {
      return;
    }
    consumer.entity.pump();
    // Answer the drain after the transfers just queued are written (rhea writes transfers before link flows):
    // the credit left then is consumed and the flow carries drain=true, also when deliveries used all credit.
    const link = sender as unknown as {
      credit: number;
      delivery_count: number;
      _get_drain(): boolean;
      issue_flow: boolean;
      connection: { _register(): void };
    };
    const original = link._get_drain.bind(sender);
    link._get_drain = () => {
      link._get_drain = original;
      while (link.credit > 0) {
        link.delivery_count++;
        link.credit--;
      }
      return true;
    };
    link.issue_flow = true;
    link.connection._register();
  }

  onSettlement(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const delivery = ctx.delivery as Delivery;
    const consumer = this.consumers.get(sender);
    if (!consumer || consumer.settled.has(delivery) || delivery.settled) {
      return;
    }
    const lockToken = consumer.lockTokens.get(delivery);
    if (lockToken === undefined) {
      return;
    }
    consumer.settled.add(delivery);
    const outcome = delivery.remote_state as unknown as
      | {
          constructor: { composite_type?: string };
          undeliverable_here?: boolean;
          message_annotations?: Record<string, unknown>;
          error?: { condition?: string; info?: Record<string, unknown>; description?: string };
        }
      | undefined;
    const kind: string = outcome?.constructor.composite_type ?? 'none';
    const entity = consumer.entity;
    const finish = (error?: Error): void => {
      if (error) {
        consumer.settle(delivery, amqpMessage.rejected({ error: toAmqpError(error) }).described());
        return;
      }
      switch (kind) {
        case 'accepted':
          consumer.settle(delivery, ACCEPTED);
          return;
        case 'modified':
          consumer.settle(
            delivery,
            amqpMessage.modified({ undeliverable_here: outcome?.undeliverable_here ?? false }).described(),
          );
          return;
        case 'released':
          consumer.settle(delivery, amqpMessage.released().described());
          return;
        default:
          // Dead-letter succeeded: echoing the client's rejected{error} would read as a failure to the SDK.
          consumer.settle(delivery, amqpMessage.rejected({}).described());
      }
    };
    switch (kind) {
      case 'accepted':
        entity.complete(lockToken, finish);
        return;
      case 'released':
        entity.abandon(lockToken, undefined, finish);
        return;
      case 'modified':
        if (outcome?.undeliverable_here === true) {
          entity.defer(lockToken, outcome.message_annotations, finish);
        } else {
          entity.abandon(lockToken, outcome?.message_annotations, finish);
        }
        return;
      case 'rejected': {
        const info = outcome?.error?.info ?? {};
        const { DeadLetterReason, DeadLetterErrorDescription, ...properties } = info;
        entity.deadLetterByLock(
          lockToken,
          {
            reason: typeof DeadLetterReason === 'string' ? DeadLetterReason : '',
            description: typeof DeadLetterErrorDescription === 'string' ? DeadLetterErrorDescription : '',
            properties,
          },
          finish,
        );
        return;
      }
      default:
        finish(
          new ServiceBusBrokerError(
            BrokerErrorCode.NotImplemented,
            `Unsupported delivery outcome '${String(kind)}'.`,
          ),
        );
    }
  }
}
