import type { StoredMessage } from '../store/stored-message.js';

/**
 * A receiver attached to an entity (the AMQP layer implements it over a rhea sender link). The entity decides
 * what to deliver; the consumer only reports its credit and puts messages on the wire.
 */
export interface MessageConsumer {
  readonly name: string;
  readonly mode: 'peekLock' | 'receiveAndDelete';
  /** Session the receiver holds the lock for; null on entities without sessions. */
  readonly sessionId: string | null;
  credit(): number;
  /** For peek-lock, `message.lockToken` and `lockedUntil` are set before the call. */
  deliver(message: StoredMessage): void;
  /** The broker ends the link (session lock lost, entity closed). */
  terminate(condition: string, description: string): void;
}
