import type { QueryResult } from '../query/function-query.service.js';
import type { LiveCloseCode } from './live-close.js';

/**
 * Where a live subscription's messages go: one per transport connection (an SSE response, a graphql-ws
 * subscription). The service decides what to send and when; the sink only encodes and writes.
 */
export interface LiveSink {
  /**
   * Sends result number `sequence` (1, 2, …). Returns false when the client is more than the buffer limit behind:
   * the service then closes the subscription with SLOW_CONSUMER.
   */
  push(result: QueryResult, sequence: number): boolean;
  /** Tells the client why the server ends the subscription, then ends it. Called once. */
  close(code: LiveCloseCode, reason: string): void;
}
