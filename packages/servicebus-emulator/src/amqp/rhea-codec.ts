/**
 * The slice of rhea's AMQP type system the broker uses directly. rhea's typings do not describe its Reader,
 * Writer or typed-value constructors, so they are declared here once, at the single place the broker reaches
 * into them.
 */
import rhea from 'rhea';

export interface AmqpTyped {
  type: { name: string; typecode: number };
  value: unknown;
  descriptor?: { value: unknown };
}

export interface AmqpReader {
  position: number;
  read(): AmqpTyped;
  remaining(): number;
}

export interface AmqpWriter {
  write(value: AmqpTyped): void;
  toBuffer(): Buffer;
}

interface RheaTypes {
  Reader: new (buffer: Buffer) => AmqpReader;
  Writer: new (buffer?: Buffer) => AmqpWriter;
  Map32(items: AmqpTyped[]): AmqpTyped;
  described(descriptor: AmqpTyped, value: AmqpTyped): AmqpTyped;
  wrap(value: unknown): AmqpTyped;
  wrap_ulong(value: number): AmqpTyped;
  wrap_long(value: number): AmqpTyped;
  wrap_int(value: number): AmqpTyped;
  wrap_uint(value: number): AmqpTyped;
  wrap_timestamp(value: number): AmqpTyped;
  wrap_string(value: string): AmqpTyped;
  wrap_symbol(value: string): AmqpTyped;
  wrap_uuid(value: Buffer): AmqpTyped;
  wrap_binary(value: Buffer): AmqpTyped;
  wrap_array(values: unknown[], typecode: number): AmqpTyped;
  wrap_map(value: Record<string, unknown>, keyWrapper?: (key: string) => AmqpTyped): AmqpTyped;
  unwrap(value: unknown, leaveDescribed?: boolean): unknown;
}

interface RheaMessageUtil {
  encode(message: object): Buffer;
  decode(buffer: Buffer): Record<string, unknown>;
  accepted(): { described(): unknown };
  rejected(fields: object): { described(): unknown };
  modified(fields: object): { described(): unknown };
  released(): { described(): unknown };
}

const container = rhea as unknown as { types: RheaTypes; message: RheaMessageUtil };

export const amqpTypes: RheaTypes = container.types;
export const amqpMessage: RheaMessageUtil = container.message;

/** AMQP typecodes used for arrays in `$management` responses. */
export const TYPECODE = { long: 0x81, timestamp: 0x83, uuid: 0x98, string: 0xb1 } as const;
