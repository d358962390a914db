import {
  formatTimespanTicks,
  INT_MAX,
  INT_MIN,
  type KustoScalarType,
  LONG_MAX,
  LONG_MIN,
  parseDatetime,
  parseTimespanTicks,
} from '@kqlgate/kql-language';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import { MAX_STRING_PARAMETER_LENGTH, inDatetimeRange, rangeProblem } from '../catalog/parameter-range.js';
import { QueryError, type ParameterProblem } from './query-error.js';

/**
 * Validates request parameters against a function's declared types and encodes them as Kusto query-parameter
 * values. The values only ever travel in `ClientRequestProperties.Parameters`, never in the query text; the
 * strict per-type formats here make sure the engine parses each one as a literal of the declared type.
 *
 * Input comes from a query string (every value a string) or a JSON body (typed), so both forms are accepted
 * where unambiguous: `"42"` and `42` for a long, `"true"` and `true` for a bool.
 */

export { MAX_STRING_PARAMETER_LENGTH };

/** A validated value: what the cache keys on and what the engine receives. */
export interface BoundParameter {
  name: string;
  type: KustoScalarType;
  /** JSON-safe canonical value (long as decimal string, timespan as `hh:mm:ss`, datetime ISO-8601). */
  value: unknown;
  /** Encoded for `ClientRequestProperties.setParameter`. */
  wire: string | number | boolean;
}

/** Kusto's timespan range, ±10675199.02:48:05.4775807: its ticks are a long. */
const TIMESPAN_RANGE = `${formatTimespanTicks(LONG_MIN)} and ${formatTimespanTicks(LONG_MAX)}`;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * Binds every supplied parameter or throws one QueryError naming each bad one: wrong type, outside the type's range
 * (an int32, a timespan's ±10675199 days, years 0001-9999…) or outside the range its `@param` line declares.
 */
export function bindParameters(
  fn: CatalogFunction,
  input: Readonly<Record<string, unknown>>,
  now: Date = new Date(),
): BoundParameter[] {
  const problems: ParameterProblem[] = [];
  const bound: BoundParameter[] = [];
  const known = new Set(fn.parameters.map((p) => p.name));
  for (const name of Object.keys(input)) {
    if (!known.has(name)) {
      const visible = fn.parameters.filter((p) => !p.binding).map((p) => p.name);
      problems.push({
        parameter: name,
        message: `unknown parameter; ${fn.name} takes ${visible.length > 0 ? visible.join(', ') : 'no parameters'}`,
      });
    }
  }
  for (const parameter of fn.parameters) {
    const raw = input[parameter.name];
    if (raw === undefined || raw === null) {
      if (parameter.defaultText === undefined) {
        problems.push({
          parameter: parameter.name,
          message: parameter.binding
            ? `is taken from the caller's "${parameter.binding.claim}" claim, which the credential does not carry`
            : `is required (${parameter.type})`,
        });
      }
      continue;
    }
    const result = encode(parameter.type, raw);
    if ('problem' in result) {
      problems.push({ parameter: parameter.name, message: result.problem });
      continue;
    }
    const outside = parameter.range
      ? rangeProblem(parameter.type, parameter.range, result.value, describe(raw), now)
      : undefined;
    if (outside) {
      problems.push({ parameter: parameter.name, message: outside });
    } else {
      bound.push({ name: parameter.name, type: parameter.type, ...result });
    }
  }
  if (problems.length > 0) {
    throw QueryError.invalidParameters(fn.name, problems);
  }
  return bound;
}

type Encoded = { value: unknown; wire: string | number | boolean } | { problem: string };

export function encode(type: KustoScalarType, raw: unknown): Encoded {
  switch (type) {
    case 'string': {
      if (typeof raw !== 'string') {
        return { problem: `must be a string, got ${describe(raw)}` };
      }
      if (raw.length > MAX_STRING_PARAMETER_LENGTH) {
        return { problem: `must be at most ${MAX_STRING_PARAMETER_LENGTH} characters, got ${raw.length}` };
      }
      return { value: raw, wire: raw };
    }
    case 'bool': {
      if (typeof raw === 'boolean') {
        return { value: raw, wire: raw };
      }
      if (raw === 'true' || raw === 'false') {
        return { value: raw === 'true', wire: raw === 'true' };
      }
      return { problem: `must be true or false, got ${describe(raw)}` };
    }
    case 'int': {
      const value = integer(raw);
      if (value === undefined || value < BigInt(INT_MIN) || value > BigInt(INT_MAX)) {
        return {
          problem: `must be a whole number between ${INT_MIN} and ${INT_MAX} (int), got ${describe(raw)}`,
        };
      }
      return { value: Number(value), wire: Number(value) };
    }
    case 'long': {
      const value = integer(raw);
      if (value === undefined || value < LONG_MIN || value > LONG_MAX) {
        return {
          problem: `must be a whole number between ${LONG_MIN} and ${LONG_MAX} (long), got ${describe(raw)}`,
        };
      }
      return { value: value.toString(), wire: `long(${value.toString()})` };
    }
    case 'real':
    case 'decimal': {
      const value =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && NUMBER.test(raw.trim())
            ? Number(raw)
            : NaN;
      if (!Number.isFinite(value)) {
        return { problem: `must be a finite number (${type}), got ${describe(raw)}` };
      }
      return { value, wire: `${type}(${String(value)})` };
    }
    case 'datetime': {
      const iso = typeof raw === 'string' ? parseDatetime(raw) : undefined;
      if (iso && !inDatetimeRange(iso)) {
        return { problem: `must be a datetime between 0001-01-01 and 9999-12-31, got ${describe(raw)}` };
      }
      if (!iso) {
        return {
          problem: `must be an ISO-8601 date or date-time such as 2024-05-01T10:00:00Z, got ${describe(raw)}`,
        };
      }
      return { value: iso, wire: `datetime(${iso})` };
    }
    case 'timespan': {
      const ticks = typeof raw === 'string' ? parseTimespanTicks(raw) : undefined;
      if (ticks === undefined) {
        return { problem: `must be a timespan such as 30m, 1h, 1.02:00:00 or PT1H, got ${describe(raw)}` };
      }
      if (ticks < LONG_MIN || ticks > LONG_MAX) {
        return { problem: `must be a timespan between ${TIMESPAN_RANGE}, got ${describe(raw)}` };
      }
      const text = formatTimespanTicks(ticks);
      return { value: text, wire: `timespan(${text})` };
    }
    case 'guid': {
      if (typeof raw !== 'string' || !GUID.test(raw)) {
        return {
          problem: `must be a GUID such as 6f1c1b2a-0000-4000-8000-000000000001, got ${describe(raw)}`,
        };
      }
      return { value: raw.toLowerCase(), wire: `guid(${raw.toLowerCase()})` };
    }
    case 'dynamic': {
      let value = raw;
      if (typeof raw === 'string') {
        try {
          value = JSON.parse(raw) as unknown;
        } catch {
          return { problem: `must be JSON (dynamic), got ${describe(raw)}` };
        }
      }
      return { value, wire: `dynamic(${JSON.stringify(value)})` };
    }
  }
}

function integer(raw: unknown): bigint | undefined {
  if (typeof raw === 'number') {
    return Number.isSafeInteger(raw) ? BigInt(raw) : undefined;
  }
  if (typeof raw === 'string' && INTEGER.test(raw.trim())) {
    return BigInt(raw.trim());
  }
  return undefined;
}

function describe(raw: unknown): string {
  if (typeof raw === 'string') {
    return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  }
  if (Array.isArray(raw)) {
    return 'an array';
  }
  if (raw === null) {
    return 'null';
  }
  return typeof raw === 'object' ? 'an object' : `${typeof raw} ${JSON.stringify(raw)}`;
}
