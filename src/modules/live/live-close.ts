/**
 * Why the server ends a live subscription. Every transport sends the code and the reason before it ends the
 * stream (SSE: `event: close`; a GraphQL subscription: its error), so clients can tell "reconnect" from "stop".
 */
export enum LiveCloseCode {
  /** The caller's token expired: reconnect with a fresh one. */
  TokenExpired = 'TOKEN_EXPIRED',
  /** The caller may no longer run the function (its roles changed on a catalog reload). */
  Forbidden = 'FORBIDDEN',
  /** The client did not read fast enough: more than LIVE_BUFFER_BYTES were waiting for it. */
  SlowConsumer = 'SLOW_CONSUMER',
  /** No result changed for LIVE_IDLE_TIMEOUT_SECONDS. */
  IdleTimeout = 'IDLE_TIMEOUT',
  /** The replica is shutting down: reconnect (to another replica). */
  ShuttingDown = 'SHUTTING_DOWN',
  /** The function is no longer exposed (a catalog reload removed it or its `@expose` line). */
  FunctionRemoved = 'FUNCTION_REMOVED',
}

/** How a subscription ended, for the metrics: a close code of the server, or the client going away. */
export type LiveEndReason = LiveCloseCode | 'CLIENT_GONE';

/** The human sentence sent with each close code. */
export function liveCloseReason(
  code: LiveCloseCode,
  fn: string,
  facts: { bufferBytes?: number; idleSeconds?: number } = {},
): string {
  switch (code) {
    case LiveCloseCode.TokenExpired:
      return `the access token expired; reconnect to ${fn} with a fresh token`;
    case LiveCloseCode.Forbidden:
      return `the caller may no longer run ${fn} (its roles or the function's changed)`;
    case LiveCloseCode.SlowConsumer:
      return `the client read too slowly: more than ${facts.bufferBytes ?? 0} bytes of ${fn} results were waiting for it`;
    case LiveCloseCode.IdleTimeout:
      return `no result of ${fn} changed for ${facts.idleSeconds ?? 0} s; reconnect to keep following it`;
    case LiveCloseCode.ShuttingDown:
      return 'this kqlgate replica is shutting down; reconnect';
    case LiveCloseCode.FunctionRemoved:
      return `${fn} is no longer exposed`;
  }
}
