/**
 * The spans of ingestion, when telemetry is on (kqlgate-tracer.ts; off, every function here returns at once).
 *
 *   kqlgate.ingestion.message   one per received message, from its delivery to its settlement; a child of the
 *                               Service Bus SDK's receive span when there is one, LINKED to the producer's trace
 *                               (the message's `traceparent`, else `Diagnostic-Id` application property, W3C)
 *   kqlgate.ingestion.batch     one per micro-batch, a trace of its own LINKED to each message span in it
 *     kqlgate.ingestion.ingest  the ingest request(s) of the batch, retries and isolation included
 *     kqlgate.ingestion.settle  completing / dead-lettering the batch's messages
 *
 * Links, not parents: a batch serves many messages of many producers' traces, and a message's trace must not
 * grow by the batch's lifetime. Attributes carry ids, tables and counts, never a body.
 */
import { type Link, type SpanContext, TraceFlags } from '@opentelemetry/api';
import { SpanKind, startSpan, tracing, type Span } from '../common/telemetry/kqlgate-tracer.js';
import type { SourceMessage } from './subscription-receiver.js';

/** W3C trace context: version 00, 32 hex trace id, 16 hex parent id, 2 hex flags (none all zero). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The message spans in flight, by message (removed at settlement). */
const messageSpans = new WeakMap<SourceMessage, Span>();

/**
 * The producer's span context from a message's application properties: `traceparent`, else `Diagnostic-Id`
 * (what @azure/service-bus writes when the producer traces); undefined when neither holds a valid W3C value.
 */
export function producerContext(properties: Record<string, unknown> | undefined): SpanContext | undefined {
  for (const key of ['traceparent', 'Diagnostic-Id']) {
    const value = properties?.[key];
    const match = typeof value === 'string' ? TRACEPARENT.exec(value.trim()) : null;
    if (match && !/^0+$/.test(match[1]) && !/^0+$/.test(match[2])) {
      return {
        traceId: match[1],
        spanId: match[2],
        traceFlags: Number.parseInt(match[3], 16) & TraceFlags.SAMPLED,
        isRemote: true,
      };
    }
  }
  return undefined;
}

/** Starts the span of a delivered message. */
export function messageReceived(message: SourceMessage): void {
  if (!tracing.enabled) {
    return;
  }
  const producer = producerContext(message.applicationProperties);
  const span = startSpan('kqlgate.ingestion.message', {
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'servicebus',
      'messaging.operation.type': 'process',
      'messaging.message.id': message.messageId,
      'kqlgate.delivery_count': message.deliveryCount,
    },
    links: producer ? [{ context: producer, attributes: { 'kqlgate.link': 'producer' } }] : [],
  });
  if (span) {
    messageSpans.set(message, span);
  }
}

/** The table a message was routed to (or the pseudo-table of its refusal). */
export function messageRouted(message: SourceMessage, table: string): void {
  messageSpans.get(message)?.setAttribute('kqlgate.table', table);
}

/** Ends a message's span with how it was settled (complete, abandon, deadLetter and its reason). */
export function messageSettled(message: SourceMessage, settlement: string, reason?: string): void {
  const span = messageSpans.get(message);
  if (!span) {
    return;
  }
  messageSpans.delete(message);
  span.setAttribute('kqlgate.settlement', settlement);
  if (reason) {
    span.setAttribute('kqlgate.dead_letter_reason', reason);
  }
  span.end();
}

/** Links from a batch's span to the spans of its messages. */
export function batchLinks(messages: readonly SourceMessage[]): Link[] {
  const links: Link[] = [];
  for (const message of messages) {
    const span = messageSpans.get(message);
    if (span) {
      links.push({ context: span.spanContext(), attributes: { 'kqlgate.link': 'message' } });
    }
  }
  return links;
}
