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
    sections: while (reader.remaining() > 0) {
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
          // Body sections and the footer come last: keep the rest verbatim without decoding it.
          bodyStart = start;
          break sections;
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
    // rhea reads a described map as the descriptor plus the map's entries themselves (key, value, key, value…).
    const pairs = (new amqpTypes.Reader(raw).read().value as AmqpTyped[] | null) ?? [];
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

export type AnnotationValue =
  | { readonly type: 'long' | 'timestamp' | 'int'; readonly value: number }
  | { readonly type: 'string'; readonly value: string };

function isEmptyMapSection(raw: Buffer): boolean {
  // 0x00 0x53 0x72 = described by smallulong 0x72; then map8 (0xc1 size count) or map32 (0xd1 size4 count4).
  if (raw.length < 6 || raw[0] !== 0x00 || raw[1] !== 0x53) {
    return false;
  }
  if (raw[3] === 0xc1) {
    return raw[5] === 0;
  }
  return raw[3] === 0xd1 && raw.length >= 12 && raw.readUInt32BE(8) === 0;
}

/**
 * The message-annotations section with the broker's entries in front of the sender's. Encoded by hand when the
 * sender sent none (the common case: the SDK sends an empty map) — this runs for every delivery.
 */
export function encodeAnnotations(
  raw: Buffer | null,
  entries: ReadonlyArray<readonly [string, AnnotationValue]>,
): Buffer {
  if (raw !== null && !isEmptyMapSection(raw)) {
    return mergeMapSection(
      raw,
      MESSAGE_ANNOTATIONS,
      entries.map(([key, v]) => {
        switch (v.type) {
          case 'long':
            return [key, amqpTypes.wrap_long(v.value)] as const;
          case 'timestamp':
            return [key, amqpTypes.wrap_timestamp(v.value)] as const;
          case 'int':
            return [key, amqpTypes.wrap_int(v.value)] as const;
          case 'string':
            return [key, amqpTypes.wrap_string(v.value)] as const;
          default:
            throw new Error('unknown annotation type');
        }
      }),
      true,
    );
  }
  let size = 0;
  for (const [key, v] of entries) {
    size += 2 + Buffer.byteLength(key);
    if (v.type === 'string') {
      const length = Buffer.byteLength(v.value);
      size += length > 255 ? 5 + length : 2 + length;
    } else {
      size += v.type === 'int' ? 5 : 9;
    }
  }
  const out = Buffer.allocUnsafe(12 + size);
  out[0] = 0x00;
  out[1] = 0x53;
  out[2] = MESSAGE_ANNOTATIONS;
  out[3] = 0xd1;
  out.writeUInt32BE(size + 4, 4);
  out.writeUInt32BE(entries.length * 2, 8);
  let at = 12;
  for (const [key, v] of entries) {
    out[at] = 0xa3;
    out[at + 1] = out.write(key, at + 2, 'latin1');
    at += 2 + out[at + 1];
    switch (v.type) {
      case 'long':
      case 'timestamp':
        out[at] = v.type === 'long' ? 0x81 : 0x83;
        out.writeBigInt64BE(BigInt(Math.trunc(v.value)), at + 1);
        at += 9;
        break;
      case 'int':
        out[at] = 0x71;
        out.writeInt32BE(v.value, at + 1);
        at += 5;
        break;
      case 'string': {
        const length = Buffer.byteLength(v.value);
        if (length > 255) {
          out[at] = 0xb1;
          out.writeUInt32BE(length, at + 1);
          at += 5;
        } else {
          out[at] = 0xa1;
          out[at + 1] = length;
          at += 2;
        }
        at += out.write(v.value, at, 'utf8');
        break;
      }
      default:
        throw new Error('unknown annotation type');
    }
  }
  return out;
}

export function encodeMessage(
  message: EncodableMessage,
  deliveryCount: number,
  annotations: ReadonlyArray<readonly [string, AnnotationValue]>,
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
  const parts = [header, encodeAnnotations(message.annotations, annotations)];
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
