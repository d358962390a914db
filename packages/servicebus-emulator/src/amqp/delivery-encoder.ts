import { MessageState, type StoredMessage } from '../store/stored-message.js';
import { encodeMessage, type AnnotationValue } from './message-codec.js';

/**
 * The annotations Service Bus stamps on every message it hands out (protocols/servicebus-amqp.md §5.1), then
 * the sender's own annotations, then the stored sections verbatim.
 */
export function encodeStoredMessage(message: StoredMessage, withLock: boolean): Buffer {
  const annotations: [string, AnnotationValue][] = [
    ['x-opt-sequence-number', { type: 'long', value: message.sequenceNumber }],
    ['x-opt-enqueued-time', { type: 'timestamp', value: message.enqueuedAt }],
    ['x-opt-enqueue-sequence-number', { type: 'long', value: message.sequenceNumber }],
  ];
  if (withLock && message.lockedUntil !== undefined) {
    annotations.push(['x-opt-locked-until', { type: 'timestamp', value: message.lockedUntil }]);
  }
  if (message.state !== MessageState.Active) {
    annotations.push(['x-opt-message-state', { type: 'int', value: message.state }]);
  }
  if (message.deadLetterSource !== null) {
    annotations.push(['x-opt-deadletter-source', { type: 'string', value: message.deadLetterSource }]);
  }
  if (message.scheduledAt !== null) {
    annotations.push(['x-opt-scheduled-enqueue-time', { type: 'timestamp', value: message.scheduledAt }]);
  }
  // The SDK derives expiresAtUtc from the header TTL; report the effective one (entity default included).
  const liveFrom = message.scheduledAt ?? message.enqueuedAt;
  const header =
    message.header.ttl === undefined && message.expiresAt !== null
      ? { ...message.header, ttl: Math.min(0xffffffff, Math.max(0, message.expiresAt - liveFrom)) }
      : message.header;
  return encodeMessage({ ...message, header }, message.deliveryCount, annotations);
}
