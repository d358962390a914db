import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** One message of a subscription as the graphql-ws client hands it over. */
export type SubscriptionEvent =
  | { next: FormattedExecutionResult<Record<string, unknown>, unknown> }
  | { error: unknown }
  | { complete: true };

export interface SubscriptionStream {
  /** The next message (in order of arrival). */
  next(): Promise<SubscriptionEvent>;
  /** Sends `complete` for this subscription. */
  unsubscribe(): void;
}

export interface GraphqlWsSession {
  readonly client: Client;
  /** The close code and reason of the connection, once the server or the client closed it. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The open socket (to pause reading, as a client that does not read). */
  socket(): Promise<WebSocket>;
  subscribe(query: string, variables?: Record<string, unknown>): SubscriptionStream;
  dispose(): Promise<void>;
}

/**
 * A real graphql-ws client (on the `ws` package) for one connection to `url`, with `connectionParams` as the
 * `connection_init` payload and no reconnection, so that a test sees each close as the server sent it.
 */
export function openGraphqlWs(url: string, connectionParams?: Record<string, unknown>): GraphqlWsSession {
  let resolveSocket!: (socket: WebSocket) => void;
  const opened = new Promise<WebSocket>((resolve) => (resolveSocket = resolve));
  let resolveClosed!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (resolveClosed = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
    // Kept open without subscriptions, so that a test sees the server close it.
    lazyCloseTimeout: 600_000,
    on: {
      opened: (socket) => resolveSocket(socket as WebSocket),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        resolveClosed({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    closed,
    socket: () => opened,
    subscribe(query, variables) {
      const events: SubscriptionEvent[] = [];
      const waiting: ((event: SubscriptionEvent) => void)[] = [];
      const deliver = (event: SubscriptionEvent): void => {
        const waiter = waiting.shift();
        if (waiter) {
          waiter(event);
        } else {
          events.push(event);
        }
      };
      const unsubscribe = client.subscribe<Record<string, unknown>>(
        { query, variables },
        {
          next: (value) => deliver({ next: value }),
          error: (error) => deliver({ error }),
          complete: () => deliver({ complete: true }),
        },
      );
      return {
        next: () => {
          const event = events.shift();
          return event ? Promise.resolve(event) : new Promise((resolve) => waiting.push(resolve));
        },
        unsubscribe,
      };
    },
    dispose: () => client.dispose() ?? Promise.resolve(),
  };
}
