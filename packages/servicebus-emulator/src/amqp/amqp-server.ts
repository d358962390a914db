/**
 * The AMQP 1.0 edge of the broker, on rhea's server side, and its connection role: listening, SASL (ANONYMOUS,
 * or PLAIN with the shared access key), connection open and close, malformed input, shutdown. Links are
 * dispatched by role to their handlers:
 *  - `$cbs` (put-token) — cbs-link-handler.ts;
 *  - `<entity>/$management` requests — management-link-handler.ts, answers on reply links (reply-link.ts);
 *  - client senders (client → entity: transfers, batches) — incoming-link-handler.ts;
 *  - client receivers (entity → client: credit, drain, settlement) — outgoing-link-handler.ts.
 * Handlers only parse, identify the entity and call the broker; failures become the AMQP error conditions Azure
 * Service Bus uses (amqp-error.translator.ts), and a broken connection never affects the others.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import rhea, { type Connection, type Container, type EventContext, type Receiver, type Sender } from 'rhea';
import type { ServiceBusBroker } from '../broker.js';
import type { Logger } from '../logging/logger.js';
import { toAmqpError, type AmqpError } from './amqp-error.translator.js';
import { CBS_ADDRESS, CbsLinkHandler } from './cbs-link-handler.js';
import { ConnectionRegistry } from './connection-registry.js';
import { DispositionWriter } from './disposition-writer.js';
import { IncomingLinkHandler } from './incoming-link-handler.js';
import { refuseLink } from './link-refusal.js';
import { isManagementAddress, ManagementLinkHandler } from './management-link-handler.js';
import { OutgoingLinkHandler } from './outgoing-link-handler.js';
import { ReplyLink } from './reply-link.js';
import { gatherSocketOutput } from './socket-output.js';

export interface AmqpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly maxMessageSizeBytes: number;
  readonly sharedAccessKeyName?: string;
  readonly sharedAccessKey?: string;
  readonly logger: Logger;
}

/** Whatever handles the transfers arriving on a client sender link. */
interface IncomingRole {
  onMessage(ctx: EventContext): void;
}

export class AmqpServer {
  private readonly container: Container;
  private server: Server | undefined;
  private readonly connections: ConnectionRegistry;
  /** Every accepted socket, AMQP-open or not: a client stuck before its open frame must not hold close() up. */
  private readonly sockets = new Set<Socket>();
  private readonly incomingRoles = new WeakMap<Receiver, IncomingRole>();
  private readonly replyLinks = new WeakMap<Sender, ReplyLink>();
  private readonly cbs: CbsLinkHandler;
  private readonly management: ManagementLinkHandler;
  private readonly incoming: IncomingLinkHandler;
  private readonly outgoing: OutgoingLinkHandler;
  private readonly logger: Logger;

  constructor(
    broker: ServiceBusBroker,
    private readonly options: AmqpServerOptions,
  ) {
    this.logger = options.logger;
    this.connections = new ConnectionRegistry(options.host, options.sharedAccessKey);
    // One writer for every settlement of every connection: see disposition-writer.ts for why they are gathered.
    const dispositions = new DispositionWriter();
    this.cbs = new CbsLinkHandler(this.connections, options, this.logger, dispositions);
    this.management = new ManagementLinkHandler(broker, this.connections, this.logger, dispositions);
    this.incoming = new IncomingLinkHandler(
      broker,
      this.connections,
      options.maxMessageSizeBytes,
      dispositions,
    );
    this.outgoing = new OutgoingLinkHandler(broker, this.connections, this.logger, dispositions);
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
    for (const connection of this.connections.open) {
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
    gatherSocketOutput(socket);
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

  private wire(): void {
    const c = this.container;
    c.on('connection_open', (ctx: EventContext) => this.connections.opened(ctx.connection));
    c.on('connection_close', (ctx: EventContext) => this.connections.dropped(ctx.connection));
    c.on('disconnected', (ctx: EventContext) => this.connections.dropped(ctx.connection));
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
    c.on('message', (ctx: EventContext) =>
      (this.incomingRoles.get(ctx.receiver as Receiver) ?? this.incoming).onMessage(ctx),
    );
    c.on('sendable', (ctx: EventContext) => {
      const reply = this.replyLinks.get(ctx.sender as Sender);
      if (reply) {
        reply.flush();
      } else {
        this.outgoing.onSendable(ctx);
      }
    });
    c.on('sender_draining', (ctx: EventContext) => this.outgoing.onDraining(ctx));
    for (const outcome of ['accepted', 'rejected', 'released', 'modified']) {
      c.on(outcome, (ctx: EventContext) => this.outgoing.onSettlement(ctx));
    }
    c.on('sender_close', (ctx: EventContext) => this.outgoing.onLinkClosed(ctx));
    c.on('session_close', (ctx: EventContext) => {
      if (ctx.session) {
        this.outgoing.onSessionClosed(ctx, ctx.session);
      }
    });
    c.on('receiver_close', () => undefined);
    c.on('session_error', () => undefined);
    c.on('sender_error', () => undefined);
    c.on('receiver_error', () => undefined);
  }

  /** A client sender: `$cbs`, a `$management` request link, or an entity to send to. */
  private onReceiverOpen(ctx: EventContext): void {
    const receiver = ctx.receiver as Receiver;
    const target = (receiver.target as { address?: string } | undefined)?.address ?? '';
    receiver.set_target({ address: target });
    const source = receiver.source as { address?: string } | undefined;
    if (source?.address !== undefined) {
      receiver.set_source({ address: source.address });
    }
    try {
      if (target === CBS_ADDRESS) {
        this.incomingRoles.set(receiver, this.cbs);
      } else if (isManagementAddress(target)) {
        this.management.attach(ctx, receiver, target);
        this.incomingRoles.set(receiver, this.management);
      } else {
        this.incoming.attach(ctx, receiver, target);
      }
    } catch (error) {
      refuseLink(receiver, toAmqpError(error), this.logger);
    }
  }

  /** A client receiver: the reply link of `$cbs` / `$management`, or an entity to receive from. */
  private onSenderOpen(ctx: EventContext): void {
    const sender = ctx.sender as Sender;
    const address = (sender.source as { address?: string } | undefined)?.address ?? '';
    const remoteTarget = (sender.target as { address?: string } | undefined)?.address;
    if (remoteTarget !== undefined) {
      sender.set_target({ address: remoteTarget });
    }
    if (address !== CBS_ADDRESS && !isManagementAddress(address)) {
      this.outgoing.attach(ctx, sender);
      return;
    }
    sender.set_source({ address });
    const link = new ReplyLink(sender);
    this.replyLinks.set(sender, link);
    const state = this.connections.state(ctx.connection);
    state.replyLinks.set(sender.name, link);
    if (remoteTarget !== undefined) {
      state.replyLinks.set(remoteTarget, link);
    }
  }
}
