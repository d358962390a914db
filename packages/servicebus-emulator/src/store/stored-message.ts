import type { EncodableMessage, MessageHeaderFields } from '../amqp/message-codec.js';

/** Values of `x-opt-message-state` (peek shows it; only active messages flow to receivers). */
export enum MessageState {
  Active = 0,
  Deferred = 1,
  Scheduled = 2,
}

/**
 * One message in one entity (queue, subscription or dead-letter sub-queue). The persisted part mirrors a row of
 * the `messages` table; `lock*` fields live in memory only (a restart releases every lock).
 */
export interface StoredMessage extends EncodableMessage {
  readonly id: number;
  /** Lower-cased entity path, e.g. `orders`, `events/subscriptions/audit/$deadletterqueue`. */
  entity: string;
  readonly sequenceNumber: number;
  state: MessageState;
  readonly enqueuedAt: number;
  /** Kept after activation: Service Bus keeps `x-opt-scheduled-enqueue-time` on scheduled messages. */
  scheduledAt: number | null;
  expiresAt: number | null;
  deliveryCount: number;
  readonly sessionId: string | null;
  readonly messageId: string;
  readonly header: MessageHeaderFields;
  readonly annotations: Buffer | null;
  readonly properties: Buffer | null;
  applicationProperties: Buffer | null;
  readonly body: Buffer;
  deadLetterSource: string | null;
  /** Set while a receiver holds the message (peek-lock); memory only. */
  lockToken?: string;
  lockedUntil?: number;
}
