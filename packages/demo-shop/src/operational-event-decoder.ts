/**
 * What the operational consumer accepts from the `operational` subscription: one event of docs/events.md per
 * message, keyed by the broker's MessageId. A message that can never be written — the body is not one JSON object,
 * the envelope is incomplete, its `messageId` is not the broker's, the data break the contract — is a poison message:
 * decoding throws a PoisonMessageError whose reason and description go into the dead-letter queue, and the consumer
 * carries on with the next message. Retrying such a message cannot help, so it is not abandoned.
 */
import { contractViolations } from './demo-event-contract.js';
import type { DemoEventEnvelope, DemoEventType } from './demo-event.js';

/**
 * The reasons the operational consumer writes into `DeadLetterReason`: stable PascalCase strings, like Service Bus's
 * own (`MaxDeliveryCountExceeded`), that DLQ tooling can filter on.
 */
export enum OperationalDeadLetterReason {
  /** The body is not one JSON object (not JSON, or JSON of another shape). */
  InvalidJson = 'InvalidJson',
  /** The envelope or its `data` break docs/events.md (the description lists every problem). */
  ContractViolation = 'ContractViolation',
}

/** A message that can never be written; `code` and `details` have the shape of a host's own coded errors. */
export class PoisonMessageError extends Error {
  readonly code = 'DEMO_POISON_MESSAGE';
  readonly details: Record<string, unknown>;

  constructor(
    readonly reason: OperationalDeadLetterReason,
    readonly description: string,
    readonly messageId: string,
  ) {
    super(`${reason}: ${description}`);
    this.name = new.target.name;
    this.details = { messageId, reason };
  }
}

/** One event as the operational database stores it. */
export interface OperationalEvent {
  /** The broker's MessageId: the idempotency key. */
  readonly messageId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly tenantId: string;
  readonly occurredAt: string;
  /** The envelope's JSON text as received. */
  readonly body: string;
  /** When the broker enqueued the message (ms since the epoch), if it says. */
  readonly enqueuedAtMs: number | null;
}

/** The fields of a received message the decoder reads (a ServiceBusReceivedMessage has them). */
export interface ReceivedEventMessage {
  readonly messageId?: string | number | Buffer;
  readonly body: unknown;
  readonly enqueuedTimeUtc?: Date;
}

/** Service Bus caps DeadLetterErrorDescription at 4096 characters. */
const MAX_DESCRIPTION = 4_000;

export function decodeOperationalEvent(message: ReceivedEventMessage): OperationalEvent {
  const messageId = brokerMessageId(message.messageId);
  const poison = (reason: OperationalDeadLetterReason, description: string): PoisonMessageError =>
    new PoisonMessageError(
      reason,
      description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 3)}...` : description,
      messageId,
    );
  try {
    return decode(message, messageId, poison);
  } catch (error) {
    if (error instanceof PoisonMessageError) {
      throw error;
    }
    // Whatever else a hostile body makes the checks throw (nesting too deep for JSON.stringify…) is a poison
    // message too: it must never stop the consumer.
    throw poison(
      OperationalDeadLetterReason.ContractViolation,
      `the event cannot be checked: ${(error as Error).message}`,
    );
  }
}

function decode(
  message: ReceivedEventMessage,
  messageId: string,
  poison: (reason: OperationalDeadLetterReason, description: string) => PoisonMessageError,
): OperationalEvent {
  if (messageId === '') {
    throw poison(OperationalDeadLetterReason.ContractViolation, 'the message has no MessageId');
  }
  const { text, value } = parseBody(message.body, (description) =>
    poison(OperationalDeadLetterReason.InvalidJson, description),
  );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw poison(
      OperationalDeadLetterReason.InvalidJson,
      `the body is ${Array.isArray(value) ? 'a JSON array' : `the JSON ${value === null ? 'null' : typeof value}`}, not one event object`,
    );
  }
  const body = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of ['eventId', 'eventType', 'tenantId', 'occurredAt'] as const) {
    if (typeof body[field] !== 'string' || body[field] === '') {
      problems.push(`${field} must be a non-empty string, got ${shown(body[field])}`);
    }
  }
  if (typeof body.data !== 'object' || body.data === null || Array.isArray(body.data)) {
    problems.push(`data must be an object, got ${shown(body.data)}`);
  }
  if (body.messageId !== messageId) {
    problems.push(`messageId ${shown(body.messageId)} is not the message's MessageId '${messageId}'`);
  }
  if (problems.length === 0) {
    // The envelope's shape holds: check the event type and its data against the contract.
    problems.push(
      ...contractViolations({
        messageId,
        eventId: body.eventId as string,
        eventType: body.eventType as DemoEventType,
        tenantId: body.tenantId as string,
        occurredAt: body.occurredAt as string,
        data: body.data as DemoEventEnvelope['data'],
      }).map((problem) => problem.replace(`${String(body.eventType)} ${messageId}: `, '')),
    );
  }
  if (problems.length > 0) {
    throw poison(OperationalDeadLetterReason.ContractViolation, problems.join('; '));
  }
  return {
    messageId,
    eventId: body.eventId as string,
    eventType: body.eventType as string,
    tenantId: body.tenantId as string,
    occurredAt: body.occurredAt as string,
    body: text,
    enqueuedAtMs: message.enqueuedTimeUtc?.getTime() ?? null,
  };
}

function brokerMessageId(id: string | number | Buffer | undefined): string {
  if (id === undefined) {
    return '';
  }
  return Buffer.isBuffer(id) ? id.toString('hex') : String(id);
}

/**
 * The body as JSON text and value. The demo sends UTF-8 bytes (an AMQP data section); a string is taken as JSON
 * text, and an AMQP-encoded map as the value itself.
 */
function parseBody(
  body: unknown,
  invalid: (description: string) => PoisonMessageError,
): { text: string; value: unknown } {
  if (body instanceof Uint8Array || typeof body === 'string') {
    const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
    try {
      return { text, value: JSON.parse(text) as unknown };
    } catch (error) {
      throw invalid(`the body is not JSON: ${(error as Error).message}`);
    }
  }
  if (body === undefined || body === null) {
    throw invalid('the body is empty');
  }
  try {
    return { text: JSON.stringify(body), value: body };
  } catch (error) {
    // A cycle cannot come off the wire; nesting too deep for JSON.stringify can.
    throw invalid(`the body cannot be stored as JSON text: ${(error as Error).message}`);
  }
}

function shown(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
