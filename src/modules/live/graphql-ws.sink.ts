import type { WebSocket } from 'ws';
import type { GraphQLError as GraphQLErrorType } from 'graphql';
import { graphqlJs } from '../graphql/graphql-runtime.js';
import type { QueryResult } from '../query/function-query.service.js';
import { LiveCloseCode } from './live-close.js';
import type { LiveHandle } from './live-results.service.js';
import type { LiveSink } from './live-sink.js';

const { GraphQLError } = graphqlJs;

/** How long a dropped slow consumer's socket may still drain its close frame before it is destroyed. */
const SLOW_CONSUMER_GRACE_MS = 1_000;

/**
 * The WebSocket close code of each connection-wide end (docs/functions.md "Live results"). The close reason is the
 * LiveCloseCode itself. graphql-ws clients reconnect on all three (1012 and 1013 are not fatal to them, nor is
 * 4403), calling `connectionParams` again: a fresh token, another replica.
 */
export const CONNECTION_CLOSE_CODES = {
  [LiveCloseCode.TokenExpired]: 4403,
  [LiveCloseCode.SlowConsumer]: 1013,
  [LiveCloseCode.ShuttingDown]: 1012,
} as const;

type ConnectionCloseCode = keyof typeof CONNECTION_CLOSE_CODES;

function endsConnection(code: LiveCloseCode): code is ConnectionCloseCode {
  return code in CONNECTION_CLOSE_CODES;
}

/**
 * One graphql-ws connection: its socket and the results its subscriptions hold for it. The buffer limit
 * (LIVE_BUFFER_BYTES) is per connection, as an SSE stream's is per response: what ws has not written to the
 * socket yet plus the results queued behind it (graphql-ws waits for each message to be written before the next).
 */
export class GraphqlWsConnection {
  /** Bytes of the results queued in this connection's sinks (their JSON length, as sent). */
  queuedBytes = 0;
  private closing = false;

  constructor(
    private readonly socket: WebSocket,
    readonly bufferBytes: number,
  ) {}

  get backlog(): number {
    return this.socket.bufferedAmount + this.queuedBytes;
  }

  get open(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  /** Ends the connection with the close code of `code`; its other subscriptions end as their client went away. */
  close(code: ConnectionCloseCode): void {
    if (this.closing) {
      return;
    }
    this.closing = true;
    this.socket.close(CONNECTION_CLOSE_CODES[code], code);
    if (code === LiveCloseCode.SlowConsumer) {
      // The client does not read, so the close frame may never leave; what is queued for it must not stay.
      setTimeout(() => this.socket.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
    }
  }
}

interface Waiter {
  resolve(result: IteratorResult<QueryResult>): void;
  reject(error: unknown): void;
}

/**
 * One GraphQL subscription as a LiveSink and the async iterator graphql-js's `subscribe` maps to `next` messages.
 * A result goes straight to graphql-ws when it is waiting for one, else it waits here and counts against the
 * connection's buffer. An end that concerns this subscription only (FORBIDDEN, IDLE_TIMEOUT, FUNCTION_REMOVED)
 * is thrown after the results before it, so graphql-ws sends it as this subscription's `error` message, with the
 * code in `extensions.code`; the others end the whole connection (CONNECTION_CLOSE_CODES).
 */
export class GraphqlWsSink implements LiveSink, AsyncIterableIterator<QueryResult> {
  private readonly queue: { result: QueryResult; bytes: number }[] = [];
  private waiter?: Waiter;
  private failure?: GraphQLErrorType;
  private done = false;
  private handle?: LiveHandle;

  constructor(private readonly connection: GraphqlWsConnection) {}

  /** The service's handle of this subscription, cancelled when the client completes it or goes away. */
  attach(handle: LiveHandle): void {
    this.handle = handle;
    if (this.done) {
      handle.cancel();
    }
  }

  push(result: QueryResult): boolean {
    if (this.done || !this.connection.open) {
      return true;
    }
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve({ value: result, done: false });
    } else {
      const bytes = Buffer.byteLength(JSON.stringify(result.rows));
      this.queue.push({ result, bytes });
      this.connection.queuedBytes += bytes;
    }
    return this.connection.backlog <= this.connection.bufferBytes;
  }

  close(code: LiveCloseCode, reason: string): void {
    if (endsConnection(code)) {
      this.finish();
      this.connection.close(code);
      return;
    }
    const failure = new GraphQLError(reason, { extensions: { code } });
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.finish();
      waiter.reject(failure);
    } else {
      this.failure = failure;
    }
  }

  next(): Promise<IteratorResult<QueryResult>> {
    const queued = this.queue.shift();
    if (queued) {
      this.connection.queuedBytes -= queued.bytes;
      return Promise.resolve({ value: queued.result, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      this.finish();
      return Promise.reject(failure);
    }
    if (this.done) {
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /** The client completed the subscription or the connection closed. */
  return(): Promise<IteratorResult<QueryResult>> {
    this.finish();
    this.handle?.cancel();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<QueryResult> {
    return this;
  }

  private finish(): void {
    this.done = true;
    for (const queued of this.queue.splice(0)) {
      this.connection.queuedBytes -= queued.bytes;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }
}
