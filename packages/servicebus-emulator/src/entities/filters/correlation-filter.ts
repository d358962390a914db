import type { FilterableMessage, MessageFilter } from './message-filter.js';

/** Correlation filter fields of the emulator config, mapped to the system property each one tests. */
const SYSTEM_FIELDS: Readonly<Record<string, string>> = {
  contenttype: 'contenttype',
  correlationid: 'correlationid',
  label: 'label',
  subject: 'label',
  messageid: 'messageid',
  replyto: 'replyto',
  replytosessionid: 'replytosessionid',
  sessionid: 'sessionid',
  to: 'to',
};

function sameValue(expected: unknown, actual: unknown): boolean {
  if (actual instanceof Date) {
    return expected instanceof Date ? expected.getTime() === actual.getTime() : false;
  }
  if (typeof expected === 'number' && typeof actual === 'bigint') {
    return BigInt(expected) === actual;
  }
  return expected === actual;
}

/**
 * Equality on every given field (AND), as Service Bus evaluates correlation filters. Throws a plain Error with
 * the offending field name for an unknown key so that config validation can report it.
 */
export function compileCorrelationFilter(spec: Record<string, unknown>): MessageFilter {
  const system: [string, unknown][] = [];
  const user: [string, unknown][] = [];
  for (const [key, value] of Object.entries(spec)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    if (key.toLowerCase() === 'properties') {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw new Error(
          `CorrelationFilter.Properties must be an object of name → value, got ${JSON.stringify(value)}`,
        );
      }
      user.push(...Object.entries(value as Record<string, unknown>));
      continue;
    }
    const field = SYSTEM_FIELDS[key.toLowerCase()];
    if (field === undefined) {
      throw new Error(
        `unknown CorrelationFilter field '${key}' (expected one of ContentType, CorrelationId, Label, MessageId, ReplyTo, ReplyToSessionId, SessionId, To, Properties)`,
      );
    }
    system.push([field, value]);
  }
  const description = JSON.stringify(spec);
  return {
    description,
    matches(message: FilterableMessage): boolean {
      for (const [field, expected] of system) {
        if (!sameValue(expected, message.system[field])) {
          return false;
        }
      }
      for (const [name, expected] of user) {
        if (!sameValue(expected, message.user[name])) {
          return false;
        }
      }
      return true;
    },
  };
}
