/**
 * The admission checks every message passes before it is parsed, routed or encoded: the size of its body and the
 * nesting depth of its JSON. Both guard the pipeline itself — a body nested a few thousand levels deep makes
 * `JSON.stringify` (and any recursive walk) overflow the stack, and a huge body costs memory and CPU before the
 * batch limit would reject it. A message over a limit is dead-lettered with the measured value and the limit.
 * Pure logic, no recursion (a walk that recursed would overflow on the very bodies it exists to reject).
 */
import { DeadLetterReason } from './dead-letter-reason.js';

export interface MessageLimits {
  /** Largest body accepted, in bytes as received (INGEST_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Deepest JSON nesting accepted: `{"a":1}` is 1 level, `{"a":[1]}` 2 (INGEST_MAX_JSON_DEPTH). */
  maxJsonDepth: number;
}

/** 1 MiB: Service Bus Premium's default message size. 64 levels: the default of .NET's JSON readers. */
export const DEFAULT_MESSAGE_LIMITS: Readonly<MessageLimits> = Object.freeze({
  maxBodyBytes: 1_048_576,
  maxJsonDepth: 64,
});

export interface LimitRejection {
  reason: DeadLetterReason;
  description: string;
}

/**
 * Bytes of a body as it came off the wire: a data section (Buffer) or a string. AMQP value/sequence bodies are
 * already decoded by the SDK and have no byte size here: undefined (the broker's own message size limit bounds
 * them).
 */
export function bodyByteLength(body: unknown): number | undefined {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    return body.byteLength;
  }
  if (typeof body === 'string') {
    return Buffer.byteLength(body, 'utf8');
  }
  return undefined;
}

export function checkBodySize(body: unknown, limits: MessageLimits): LimitRejection | undefined {
  const bytes = bodyByteLength(body);
  if (bytes === undefined || bytes <= limits.maxBodyBytes) {
    return undefined;
  }
  return {
    reason: DeadLetterReason.MessageTooLarge,
    description: `body is ${bytes} bytes, above the ${limits.maxBodyBytes}-byte limit (INGEST_MAX_BODY_BYTES)`,
  };
}

export function checkJsonDepth(value: unknown, limits: MessageLimits): LimitRejection | undefined {
  const depth = jsonDepth(value);
  if (depth <= limits.maxJsonDepth) {
    return undefined;
  }
  return {
    reason: DeadLetterReason.NestingTooDeep,
    description: `body nests JSON ${depth} levels deep, above the limit of ${limits.maxJsonDepth} levels (INGEST_MAX_JSON_DEPTH)`,
  };
}

/** Nesting depth of a parsed JSON value: 0 for a scalar, 1 for a flat object or array. Iterative. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object' || Buffer.isBuffer(current)) {
      continue;
    }
    const level = depth + 1;
    deepest = Math.max(deepest, level);
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        stack.push({ value: child, depth: level });
      }
    }
  }
  return deepest;
}
