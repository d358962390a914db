/**
 * Byte-level handling of AMQP messages. The broker stores the properties, application-properties and body
 * sections exactly as the sender encoded them and re-emits them verbatim; only the header and the
 * message-annotations (where Service Bus stamps sequence number, enqueued time, lock expiry…) are rebuilt on
 * each delivery, keeping the sender's own annotation values with their original AMQP types.
 */
import { randomUUID } from 'node:crypto';
import { amqpMessage, amqpTypes, type AmqpTyped } from './rhea-codec.js';

const SECTION = {
  header: 0x70,
  deliveryAnnotations: 0x71,
  messageAnnotations: 0x72,
  properties: 0x73,
  applicationProperties: 0x74,
  data: 0x75,
  sequence: 0x76,
  value: 0x77,
  footer: 0x78,
} as const;

const SYMBOLIC: Record<string, number> = {
  'amqp:header:list': SECTION.header,
  'amqp:delivery-annotations:map': SECTION.deliveryAnnotations,
  'amqp:message-annotations:map': SECTION.messageAnnotations,
  'amqp:properties:list': SECTION.properties,
  'amqp:application-properties:map': SECTION.applicationProperties,
  'amqp:data:binary': SECTION.data,
  'amqp:amqp-sequence:list': SECTION.sequence,
  'amqp:amqp-value:*': SECTION.value,
  'amqp:footer:map': SECTION.footer,
};

/** Batch transfers (`sendMessages([...])`) use this message format: each data section is a whole message. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** The properties section fields Service Bus routes and filters on. */
export interface MessageSystemProperties {
  message_id?: unknown;
  user_id?: unknown;
  to?: string;
  subject?: string;
  reply_to?: string;
  correlation_id?: unknown;
  content_type?: string;
  content_encoding?: string;
  absolute_expiry_time?: Date;
  creation_time?: Date;
  group_id?: string;
  group_sequence?: number;
  reply_to_group_id?: string;
}

export interface MessageHeaderFields {
  durable?: boolean;
  priority?: number;
  ttl?: number;
}

/** A sent message split into its sections; raw buffers are the sender's bytes, decoded values are for routing. */
export interface ParsedMessage {
  readonly header: MessageHeaderFields;
  readonly annotations: Buffer | null;
  readonly annotationValues: Record<string, unknown>;
  readonly properties: Buffer | null;
  readonly propertyValues: MessageSystemProperties;
  readonly applicationProperties: Buffer | null;
  readonly applicationValues: Record<string, unknown>;
  /** data / amqp-sequence / amqp-value sections and footer, verbatim. */
  readonly body: Buffer;
  readonly encodedSize: number;
}

export class MessageDecodeError extends Error {
  override readonly name = 'MessageDecodeError';
}

function sectionCode(section: AmqpTyped): number | undefined {
  const descriptor = section.descriptor?.value;
  if (typeof descriptor === 'number') {
    return descriptor;
  }
  if (typeof descriptor === 'string') {
    return SYMBOLIC[descriptor];
  }
  return undefined;
}

/** Splits one encoded AMQP message (format 0) into its sections. */
export function parseMessage(encoded: Buffer): ParsedMessage {
  const reader = new amqpTypes.Reader(encoded);
  let header: MessageHeaderFields = {};
  let annotations: Buffer | null = null;
  let properties: Buffer | null = null;
  let applicationProperties: Buffer | null = null;
  let bodyStart = -1;
  try {
    while (reader.remaining() > 0) {
      const start = reader.position;
      const section = reader.read();
      const end = reader.position;
      const code = sectionCode(section) ?? -1;
      switch (code) {
        case SECTION.header: {
          const decoded = amqpMessage.decode(encoded.subarray(start, end));
          header = {
            durable: decoded.durable as boolean,
            priority: decoded.priority as number,
            ttl: decoded.ttl as number,
          };
          break;
        }
        case SECTION.deliveryAnnotations:
          // Delivery annotations are hop-by-hop: not stored, not forwarded.
          break;
        case SECTION.messageAnnotations:
          annotations = encoded.subarray(start, end);
          break;
        case SECTION.properties:
          properties = encoded.subarray(start, end);
          break;
        case SECTION.applicationProperties:
          applicationProperties = encoded.subarray(start, end);
          break;
        case SECTION.data:
        case SECTION.sequence:
        case SECTION.value:
        case SECTION.footer:
          if (bodyStart < 0) {
            bodyStart = start;
          }
          break;
        default:
          throw new MessageDecodeError(
            `unknown message section at byte ${start} (descriptor ${String(section.descriptor?.value)})`,
          );
      }
    }
  } catch (error) {
    if (error instanceof MessageDecodeError) {
      throw error;
    }
    throw new MessageDecodeError(`malformed AMQP message: ${(error as Error).message}`);
  }
  const decodedMeta =
    properties || applicationProperties || annotations
      ? amqpMessage.decode(
          Buffer.concat([
            annotations ?? Buffer.alloc(0),
            properties ?? Buffer.alloc(0),
            applicationProperties ?? Buffer.alloc(0),
          ]),
        )
      : {};
  const propertyValues: MessageSystemProperties = {};
  for (const key of [
    'message_id',
    'user_id',
    'to',
    'subject',
    'reply_to',
    'correlation_id',
    'content_type',
    'content_encoding',
    'absolute_expiry_time',
    'creation_time',
    'group_id',
    'group_sequence',
    'reply_to_group_id',
  ] as const) {
    if (decodedMeta[key] !== undefined && decodedMeta[key] !== null) {
      (propertyValues as Record<string, unknown>)[key] = decodedMeta[key];
    }
  }
  return {
    header,
    annotations,
    annotationValues: (decodedMeta.message_annotations as Record<string, unknown> | undefined) ?? {},
    properties,
    propertyValues,
    applicationProperties,
    applicationValues: (decodedMeta.application_properties as Record<string, unknown> | undefined) ?? {},
    body: bodyStart < 0 ? Buffer.alloc(0) : encoded.subarray(bodyStart),
    encodedSize: encoded.length,
  };
}

/** The messages inside a batch envelope (format 0x80013700): one per data section. */
export function unpackBatch(envelope: Buffer): Buffer[] {
  const reader = new amqpTypes.Reader(envelope);
  const messages: Buffer[] = [];
  try {
    while (reader.remaining() > 0) {
      const section = reader.read();
      if (sectionCode(section) === SECTION.data) {
        messages.push(section.value as Buffer);
      }
    }
  } catch (error) {
    throw new MessageDecodeError(`malformed batch envelope: ${(error as Error).message}`);
  }
  return messages;
}

/**
 * rhea's encoder always appends a body (an amqp-value null when there is none); this returns only the
 * sections before it, for building a message from stored raw sections.
 */
function encodeWithoutBody(fields: object): Buffer {
  const encoded = amqpMessage.encode(fields);
  const reader = new amqpTypes.Reader(encoded);
  while (reader.remaining() > 0) {
    const start = reader.position;
    const code = sectionCode(reader.read());
    if (code === SECTION.value || code === SECTION.data || code === SECTION.sequence) {
      return encoded.subarray(0, start);
    }
  }
  return encoded;
}

/** Re-encodes the properties section with a message id stamped in (the SDK needs one to settle). */
export function withMessageId(properties: MessageSystemProperties, messageId: string): Buffer {
  return encodeWithoutBody({ ...properties, message_id: messageId });
}

export function newServiceMessageId(): string {
  return randomUUID().replace(/-/g, '');
}

/** A readable id for duplicate detection and logs from whatever AMQP type the sender used. */
export function messageIdText(id: unknown): string | undefined {
  if (id === undefined || id === null) {
    return undefined;
  }
  if (Buffer.isBuffer(id)) {
    return id.length === 16 ? uuidFromBytes(id) : id.toString('hex');
  }
  return typeof id === 'string'
    ? id
    : typeof id === 'number' || typeof id === 'bigint'
      ? id.toString()
      : JSON.stringify(id);
}

/**
 * Rebuilds a map section (annotations: symbol keys; application properties: string keys), putting `entries`
 * first and keeping every original entry not overridden with its original type.
 */
export function mergeMapSection(
  raw: Buffer | null,
  code: number,
  entries: ReadonlyArray<readonly [string, AmqpTyped]>,
  symbolKeys: boolean,
): Buffer {
  const items: AmqpTyped[] = [];
  const overridden = new Set(entries.map(([key]) => key));
  for (const [key, value] of entries) {
    items.push(symbolKeys ? amqpTypes.wrap_symbol(key) : amqpTypes.wrap_string(key), value);
  }
  if (raw) {
    const section = new amqpTypes.Reader(raw).read();
    const pairs = ((section.value as AmqpTyped | null)?.value as AmqpTyped[] | undefined) ?? [];
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (!overridden.has(String(pairs[i].value))) {
        items.push(pairs[i], pairs[i + 1]);
      }
    }
  }
  if (items.length === 0 && raw === null) {
    return Buffer.alloc(0);
  }
  const writer = new amqpTypes.Writer(Buffer.allocUnsafe(512));
  writer.write(amqpTypes.described(amqpTypes.wrap_ulong(code), amqpTypes.Map32(items)));
  return Buffer.from(writer.toBuffer());
}

export const MESSAGE_ANNOTATIONS = SECTION.messageAnnotations;
export const APPLICATION_PROPERTIES = SECTION.applicationProperties;

/** The sections a delivery is made of; header fields and annotations are computed per delivery. */
export interface EncodableMessage {
  readonly header: MessageHeaderFields;
  readonly annotations: Buffer | null;
  readonly properties: Buffer | null;
  readonly applicationProperties: Buffer | null;
  readonly body: Buffer;
}

/** Header sections repeat (same TTL, few delivery counts): encode each variant once. */
const headerCache = new Map<string, Buffer>();

export function encodeMessage(
  message: EncodableMessage,
  deliveryCount: number,
  annotations: ReadonlyArray<readonly [string, AmqpTyped]>,
): Buffer {
  const { durable, priority, ttl } = message.header;
  const key = `${durable}|${priority}|${ttl}|${deliveryCount}`;
  let header = headerCache.get(key);
  if (!header) {
    header = encodeWithoutBody({
      durable: durable ?? undefined,
      priority: priority ?? undefined,
      ttl: ttl ?? undefined,
      delivery_count: deliveryCount,
    });
    if (headerCache.size > 1000) {
      headerCache.clear();
    }
    headerCache.set(key, header);
  }
  const parts = [header, mergeMapSection(message.annotations, MESSAGE_ANNOTATIONS, annotations, true)];
  if (message.properties) {
    parts.push(message.properties);
  }
  if (message.applicationProperties) {
    parts.push(message.applicationProperties);
  }
  parts.push(message.body);
  return Buffer.concat(parts);
}

/** RFC 4122 text of 16 uuid bytes in network order. */
export function uuidFromBytes(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidToBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/**
 * Service Bus sends lock tokens as delivery tags in .NET Guid byte order (first three groups little-endian);
 * the SDK converts the tag back to the RFC text it shows as `message.lockToken`.
 */
export function lockTokenToDeliveryTag(uuid: string): Buffer {
  const b = uuidToBytes(uuid);
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)]);
}
