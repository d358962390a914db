/**
 * The AMQP 1.0 edge of the broker, on rhea's server side: SASL, connections, and the link handlers —
 * `$cbs` (put-token), `<entity>/$management`, sender links (client → entity) and receiver links
 * (entity → client, with credit, drain and settlement). Handlers only parse, identify the entity and call the
 * broker; failures become the AMQP error conditions Azure Service Bus uses (amqp-error.translator.ts), and a
 * broken connection never affects the others.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import rhea, {
  type Connection,
  type Container,
  type Delivery,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
} from 'rhea';
import type { Logger } from '../logging/logger.js';
import { normalizeAddress, type SendTarget, type ServiceBusBroker } from '../broker.js';
import type { MessageConsumer } from '../entities/message-consumer.js';
import type { MessageEntity } from '../entities/message-entity.js';
import {
  BrokerErrorCode,
  plainReceiverOnEntityWithSessions,
  ServiceBusBrokerError,
  sessionReceiverOnEntityWithoutSessions,
} from '../errors/servicebus-broker-error.js';
import type { StoredMessage } from '../store/stored-message.js';
import { toAmqpError, type AmqpError } from './amqp-error.translator.js';
import { encodeStoredMessage } from './delivery-encoder.js';
import { ManagementNode } from './management-node.js';
import {
  BATCH_MESSAGE_FORMAT,
  lockTokenToDeliveryTag,
  parseMessage,
  unpackBatch,
  type ParsedMessage,
} from './message-codec.js';
import { amqpMessage, amqpTypes } from './rhea-codec.js';
import { verifySasToken } from './sas-token.js';

export interface AmqpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxMessageSizeBytes: number;
  readonly sharedAccessKeyName?: string;
  readonly sharedAccessKey?: string;
  readonly logger: Logger;
}

const MANAGEMENT_SUFFIX = '/$management';
const SESSION_FILTER = 'com.microsoft:session-filter';
const DOTNET_EPOCH_TICKS = 621355968000000000n;

/** Per-connection state: which audiences passed `$cbs`, where responses go, which consumers to release. */
interface ConnectionState {
  readonly host: string;
  readonly audiences: Set<string>;
  readonly replyLinks: Map<string, ReplyLink>;
  readonly consumers: Set<ConsumerLink>;
}

/** A client receiver used for `$cbs` / `$management` responses; responses wait for credit. */
class ReplyLink {
  private readonly queue: Message[] = [];
  constructor(readonly sender: Sender) {}

  send(message: Message): void {
    this.queue.push(message);
    this.flush();
  }

  flush(): void {
    while (this.queue.length > 0 && this.sender.sendable()) {
      this.sender.send(this.queue.shift() as Message);
    }
  }
}

interface OutgoingDelivery extends Delivery {
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
class ConsumerLink implements MessageConsumer {
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
    delivery.update(true, state);
    (delivery as OutgoingDelivery).remote_settled = true;
  }

  terminate(condition: string, description: string): void {
    this.closed = true;
    this.sender.close({ condition, description });
  }
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function applicationProperty(message: Message, name: string): unknown {
  return (message.application_properties as Record<string, unknown> | undefined)?.[name];
}

/** Link property `com.microsoft:locked-until-utc`: .NET ticks as an 8-byte long (beyond 2^53). */
function dotNetTicks(ms: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(BigInt(ms) * 10000n + DOTNET_EPOCH_TICKS);
  return buffer;
}

export class AmqpServer {
  private readonly container: Container;
  private server: Server | undefined;
  private readonly connections = new WeakMap<Connection, ConnectionState>();
  private readonly open = new Set<Connection>();
  /** Every accepted socket, AMQP-open or not: a client stuck before its open frame must not hold close() up. */
  private readonly sockets = new Set<Socket>();
  private readonly consumers = new WeakMap<Sender, ConsumerLink>();
  private readonly sendTargets = new WeakMap<Receiver, SendTarget>();
  private readonly managementTargets = new WeakMap<Receiver, string>();
  private readonly cbsReceivers = new WeakSet<Receiver>();
  private readonly replyLinks = new WeakMap<Sender, ReplyLink>();
  private readonly logger: Logger;

  constructor(
    private readonly broker: ServiceBusBroker,
    private readonly options: AmqpServerOptions,
  ) {
    this.logger = options.logger;
    this.container = rhea.create_container({ id: 'kqlgate-servicebus', autoaccept: false });
    const mechanisms = this.container.sasl_server_mechanisms as unknown as {
      enable_anonymous(): void;
      enable_plain(check: (user: string, password: string) => boolean): void;
    };
    mechanisms.enable_anonymous();
    mechanisms.enable_plain((user, password) =>
      options.sharedAccessKey === undefined
        ? true
        : user === options.sharedAccessKeyName && password === options.sharedAccessKey,
    );
    this.wire();
  }

  async listen(): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
      server.listen(this.options.port, this.options.host);
    });
    server.on('error', (error) => this.logger.error({ err: error }, 'servicebus listener error'));
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const connection of this.open) {
      try {
        connection.close();
      } catch {
        // A connection that is already gone has nothing left to close.
      }
    }
    await new Promise<void>((resolve) => {
      if (!this.server) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      // Clients that never answer the close frame, or never opened, must not hold shutdown up.
      setTimeout(() => {
        for (const socket of this.sockets) {
          socket.destroy();
        }
      }, 200).unref();
    });
  }

  /**
   * Like rhea's `listen`, plus per-connection handlers for undecodable input: the client gets a `close` with
   * `amqp:connection:framing-error` / `amqp:decode-error` before rhea drops the socket, and only that connection
   * is affected.
   */
  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const connection = (
      this.container as unknown as {
        create_connection(options: object): Connection & { accept(s: Socket): void };
      }
    ).create_connection({ session_buffer_size: 8192 });
    const answer = (error: unknown): void => {
      const name = error instanceof Error ? error.name : '';
      const condition = name === 'ProtocolError' ? 'amqp:connection:framing-error' : 'amqp:decode-error';
      const description = `Malformed AMQP input: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.warn(
        { condition, description, remote: socket.remoteAddress },
        'servicebus: closing connection',
      );
      const raw = connection as unknown as {
        local: { close: { error?: AmqpError } };
        state: { local_open: boolean };
        _write_open(): void;
        _write_close(): void;
      };
      try {
        // A close must follow an open; the broker sends its open only after the client's, which may never came.
        if (!raw.state.local_open) {
          raw._write_open();
        }
        raw.local.close.error = { condition, description };
        raw._write_close();
      } catch {
        // Still in the SASL or header phase: there is no AMQP channel to send a close on; the socket just ends.
      }
    };
    connection.on('protocol_error', answer);
    connection.on('error', answer);
    socket.on('error', (error) => this.logger.debug({ err: error }, 'servicebus: socket error'));
    connection.accept(socket);
  }

  private state(connection: Connection): ConnectionState {
    let state = this.connections.get(connection);
    if (!state) {
      const hostname = (connection as unknown as { hostname?: string }).hostname;
      state = {
        host: hostname && hostname.length > 0 ? hostname : `${this.options.host}`,
        audiences: new Set(),
        replyLinks: new Map(),
        consumers: new Set(),
      };
      this.connections.set(connection, state);
    }
    return state;
  }

  private wire(): void {
    const c = this.container;
    c.on('connection_open', (ctx: EventContext) => {
      this.open.add(ctx.connection);
      this.state(ctx.connection);
    });
    const dropConnection = (ctx: EventContext): void => {
      this.open.delete(ctx.connection);
      const state = this.connections.get(ctx.connection);
      if (state) {
        for (const consumer of state.consumers) {
          this.releaseConsumer(consumer);
        }
        state.consumers.clear();
      }
    };
    c.on('connection_close', dropConnection);
    c.on('disconnected', dropConnection);
    c.on('connection_error', (ctx: EventContext) => {
      this.logger.debug({ err: ctx.connection.error }, 'servicebus client connection error');
    });
    // rhea reports undecodable input here; answer with a framing error before it drops the socket.
    c.on('protocol_error', (error: unknown) =>
      this.logger.warn({ err: error }, 'servicebus: malformed AMQP input'),
    );
    c.on('error', (error: unknown) => this.logger.warn({ err: error }, 'servicebus: connection error'));
    c.on('receiver_open', (ctx: EventContext) => this.onReceiverOpen(ctx));
    c.on('sender_open', (ctx: EventContext) => this.onSenderOpen(ctx));
    c.on('message', (ctx: EventContext) => this.onMessage(ctx));
    c.on('sendable', (ctx: EventContext) => this.onSendable(ctx));
    c.on('sender_draining', (ctx: EventContext) => this.onDraining(ctx));
    for (const outcome of ['accepted', 'rejected', 'released', 'modified']) {
      c.on(outcome, (ctx: EventContext) => this.onSettlement(ctx));
    }
    c.on('sender_close', (ctx: EventContext) => {
      const consumer = ctx.sender ? this.consumers.get(ctx.sender) : undefined;
      if (consumer) {
        this.releaseConsumer(consumer);
        this.state(ctx.connection).consumers.delete(consumer);
      }
    });
    c.on('session_close', (ctx: EventContext) => {
      const state = this.connections.get(ctx.connection);
      if (!state) {
        return;
      }
      for (const consumer of state.consumers) {
        if ((consumer.sender as unknown as { session: unknown }).session === ctx.session) {
          this.releaseConsumer(consumer);
          state.consumers.delete(consumer);
        }
      }
    });
    c.on('receiver_close', () => undefined);
    c.on('session_error', () => undefined);
    c.on('sender_error', () => undefined);
    c.on('receiver_error', () => undefined);
  }

  private releaseConsumer(consumer: ConsumerLink): void {
    if (!consumer.closed) {
      consumer.closed = true;
    }
    consumer.entity.detach(consumer);
  }

  private refuse(link: Sender | Receiver, error: AmqpError): void {
    this.logger.debug(
      { link: link.name, condition: error.condition, description: error.description },
      'attach refused',
    );
    link.close(error);
  }

  private authorize(connection: Connection, address: string): void {
    if (this.options.sharedAccessKey === undefined) {
      return;
    }
    const path = normalizeAddress(address);
    for (const audience of this.state(connection).audiences) {
      if (audience === '' || path === audience || path.startsWith(`${audience}/`)) {
        return;
      }
    }
    throw new ServiceBusBrokerError(
      BrokerErrorCode.Unauthorized,
      `Unauthorized access. No valid token was put on $cbs for '${address}'.`,
      { address },
    );
  }

  // ---- client sender links (we receive) ---------------------------------------------------------------------

  private onReceiverOpen(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const target = (receiver.target as { address?: string } | undefined)?.address ?? '';
    receiver.set_target({ address: target });
    const source = receiver.source as { address?: string } | undefined;
    if (source?.address !== undefined) {
      receiver.set_source({ address: source.address });
    }
    if (target === '$cbs') {
      this.cbsReceivers.add(receiver);
      return;
    }
    try {
      if (target.toLowerCase().endsWith(MANAGEMENT_SUFFIX)) {
        const entity = target.slice(0, -MANAGEMENT_SUFFIX.length);
        this.authorize(ctx.connection, target);
        this.managementTargets.set(receiver, entity);
        return;
      }
      this.authorize(ctx.connection, target);
      const sendTarget = this.broker.resolveSendTarget(target, this.state(ctx.connection).host);
      (
        receiver as unknown as { local: { attach: { max_message_size: number } } }
      ).local.attach.max_message_size = this.options.maxMessageSizeBytes;
      this.sendTargets.set(receiver, sendTarget);
    } catch (error) {
      this.refuse(receiver, toAmqpError(error));
    }
  }

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const delivery = ctx.delivery as Delivery;
    if (this.cbsReceivers.has(receiver)) {
      this.onCbsRequest(ctx, ctx.message as Message, delivery);
      return;
    }
    const management = this.managementTargets.get(receiver);
    if (management !== undefined) {
      delivery.update(true, amqpMessage.accepted().described());
      void this.onManagementRequest(ctx, management, ctx.message as Message);
      return;
    }
    const target = this.sendTargets.get(receiver);
    if (!target) {
      delivery.update(
        true,
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
      delivery.update(true, amqpMessage.rejected({ error: toAmqpError(error) }).described());
      return;
    }
    this.broker.send(target, parsed, (error) => {
      delivery.update(
        true,
        error
          ? amqpMessage.rejected({ error: toAmqpError(error) }).described()
          : amqpMessage.accepted().described(),
      );
    });
  }

  private decodeTransfer(ctx: EventContext): ParsedMessage[] {
    const format = (ctx as unknown as { format?: number }).format ?? 0;
    const max = this.options.maxMessageSizeBytes;
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

  // ---- $cbs --------------------------------------------------------------------------------------------------

  private onCbsRequest(ctx: EventContext, request: Message, delivery: Delivery): void {
    delivery.update(true, amqpMessage.accepted().described());
    const state = this.state(ctx.connection);
    const audienceText = textOf(applicationProperty(request, 'name'));
    let status = 202;
    let description = 'Accepted';
    if (this.options.sharedAccessKey !== undefined) {
      const verified = verifySasToken(
        request.body,
        this.options.sharedAccessKeyName ?? '',
        this.options.sharedAccessKey,
      );
      if ('error' in verified) {
        status = 401;
        description = verified.error;
        this.logger.warn(
          { audience: audienceText, reason: verified.error },
          'servicebus: $cbs token refused',
        );
      } else {
        state.audiences.add(normalizeAddress(verified.audience));
      }
    } else {
      state.audiences.add(normalizeAddress(audienceText));
    }
    this.reply(state, request, {
      correlation_id: request.message_id,
      application_properties: {
        'status-code': amqpTypes.wrap_int(status),
        'status-description': description,
        ...(status === 401 ? { 'error-condition': 'amqp:unauthorized-access' } : {}),
      },
    } as unknown as Message);
  }

  // ---- $management ---------------------------------------------------------------------------------------------

  private async onManagementRequest(ctx: EventContext, entity: string, request: Message): Promise<void> {
    const state = this.state(ctx.connection);
    const node = new ManagementNode(this.broker, state.host);
    const operation = textOf(applicationProperty(request, 'operation'));
    const body = (request.body as Record<string, unknown> | undefined) ?? {};
    const response = await node.handle(entity, { operation, body });
    if (response.statusCode >= 300) {
      this.logger.debug(
        { entity, operation, status: response.statusCode, description: response.statusDescription },
        'management request failed',
      );
    }
    const applicationProperties: Record<string, unknown> = {
      statusCode: amqpTypes.wrap_int(response.statusCode),
      statusDescription: response.statusDescription,
    };
    if (response.errorCondition !== undefined) {
      applicationProperties.errorCondition = response.errorCondition;
    }
    this.reply(state, request, {
      correlation_id: request.message_id,
      application_properties: applicationProperties,
      ...(response.body === undefined ? {} : { body: response.body }),
    } as Message);
  }

  private reply(state: ConnectionState, request: Message, response: Message): void {
    const replyTo = typeof request.reply_to === 'string' ? request.reply_to : '';
    const link = state.replyLinks.get(replyTo);
    if (!link) {
      this.logger.warn({ replyTo }, 'servicebus: no receiver link for reply_to; response dropped');
      return;
    }
    link.send(response);
  }

  // ---- client receiver links (we send) -------------------------------------------------------------------------

  private onSenderOpen(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const source =
      (sender.source as { address?: string; filter?: Record<string, unknown> } | undefined) ?? {};
    const address = source.address ?? '';
    const remoteTarget = (sender.target as { address?: string } | undefined)?.address;
    if (remoteTarget !== undefined) {
      sender.set_target({ address: remoteTarget });
    }
    const state = this.state(ctx.connection);
    if (address === '$cbs' || address.toLowerCase().endsWith(MANAGEMENT_SUFFIX)) {
      sender.set_source({ address });
      const link = new ReplyLink(sender);
      this.replyLinks.set(sender, link);
      state.replyLinks.set(sender.name, link);
      if (remoteTarget !== undefined) {
        state.replyLinks.set(remoteTarget, link);
      }
      return;
    }
    let entity: MessageEntity;
    try {
      this.authorize(ctx.connection, address);
      entity = this.broker.resolveEntity(address, state.host);
      if (entity.kind === 'topic-schedule') {
        throw new ServiceBusBrokerError(
          BrokerErrorCode.NotAllowed,
          `Cannot receive from topic '${address}'; receive from a subscription.`,
        );
      }
    } catch (error) {
      sender.set_source({ address });
      this.refuse(sender, toAmqpError(error));
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
    const consumer = new ConsumerLink(sender, entity, mode, null);
    this.consumers.set(sender, consumer);
    if (!entity.requiresSession) {
      sender.set_source({ address });
      if (wantsSession) {
        this.refuse(sender, toAmqpError(sessionReceiverOnEntityWithoutSessions(entity.path)));
        return;
      }
      state.consumers.add(consumer);
      entity.attach(consumer);
      return;
    }
    if (!wantsSession) {
      sender.set_source({ address });
      this.refuse(sender, toAmqpError(plainReceiverOnEntityWithSessions(entity.path)));
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
          this.refuse(sender, toAmqpError(error));
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

  private onSendable(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const reply = this.replyLinks.get(sender);
    if (reply) {
      reply.flush();
      return;
    }
    this.consumers.get(sender)?.entity.pump();
  }

  private onDraining(ctx: EventContext): void {
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

  private onSettlement(ctx: EventContext): void {
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
          consumer.settle(delivery, amqpMessage.accepted().described());
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
