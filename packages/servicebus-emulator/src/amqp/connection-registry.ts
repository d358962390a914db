/**
 * Per-connection state of the AMQP edge: the host the client named, the audiences its `$cbs` tokens granted,
 * where `$cbs` / `$management` responses go (by link name and by the client's reply-to address), and the
 * consumers to release when the connection goes away. Authorization of a link attach is decided here, from the
 * audiences.
 */
import type { Connection } from 'rhea';
import { normalizeAddress } from '../broker.js';
import { BrokerErrorCode, ServiceBusBrokerError } from '../errors/servicebus-broker-error.js';
import type { ReplyLink } from './reply-link.js';

/** What a connection's links need released when it closes: outgoing consumer links implement it. */
export interface ReleasableLink {
  release(): void;
}

export interface ConnectionState {
  readonly host: string;
  readonly audiences: Set<string>;
  readonly replyLinks: Map<string, ReplyLink>;
  readonly consumers: Set<ReleasableLink>;
}

export class ConnectionRegistry {
  private readonly states = new WeakMap<Connection, ConnectionState>();
  /** Connections that are AMQP-open, for closing them on shutdown. */
  readonly open = new Set<Connection>();

  constructor(
    private readonly defaultHost: string,
    private readonly sharedAccessKey: string | undefined,
  ) {}

  state(connection: Connection): ConnectionState {
    let state = this.states.get(connection);
    if (!state) {
      const hostname = (connection as unknown as { hostname?: string }).hostname;
      state = {
        host: hostname && hostname.length > 0 ? hostname : this.defaultHost,
        audiences: new Set(),
        replyLinks: new Map(),
        consumers: new Set(),
      };
      this.states.set(connection, state);
    }
    return state;
  }

  opened(connection: Connection): void {
    this.open.add(connection);
    this.state(connection);
  }

  /** Closed or lost: every consumer of the connection gives its locked messages back to its entity. */
  dropped(connection: Connection): void {
    this.open.delete(connection);
    const state = this.states.get(connection);
    if (state) {
      for (const consumer of state.consumers) {
        consumer.release();
      }
      state.consumers.clear();
    }
  }

  /** Throws Unauthorized unless a `$cbs` token of this connection covers `address` (when keys are configured). */
  authorize(connection: Connection, address: string): void {
    if (this.sharedAccessKey === undefined) {
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
}
