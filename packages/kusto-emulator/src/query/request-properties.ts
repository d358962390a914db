/**
 * Client request properties (protocols/kusto-rest.md §3): `properties` arrives as an object from the JS
 * SDK and as a JSON string from other clients; keys `Options` and `Parameters`.
 */
import type { QueryParameterValues } from '../compiler/compiler-types.js';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { parseTimespanTicks, TICKS_PER_MILLISECOND } from '../compiler/kusto-time.js';

export const DEFAULT_TRUNCATION_MAX_RECORDS = 500_000;
export const DEFAULT_TRUNCATION_MAX_SIZE = 64 * 1024 * 1024;
/** ADX's default query timeout: a runaway query must not hold a reader connection forever. */
export const DEFAULT_SERVER_TIMEOUT_MS = 4 * 60 * 1000;

export interface QueryOptions {
  serverTimeoutMs: number;
  truncationMaxRecords: number;
  truncationMaxSize: number;
  noTruncation: boolean;
}

export interface RequestProperties {
  options: QueryOptions;
  parameters: QueryParameterValues | undefined;
}

function optionValue(options: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(options).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : options[key];
}

function positiveInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw KustoEngineError.badRequest(
      `Request property '${name}' must be a non-negative integer; got ${JSON.stringify(value)}.`,
    );
  }
  return n;
}

export function parseRequestProperties(raw: unknown): RequestProperties {
  let properties = raw;
  if (typeof properties === 'string') {
    if (properties.trim() === '') {
      properties = {};
    } else {
      try {
        properties = JSON.parse(properties);
      } catch {
        throw KustoEngineError.badRequest('Request "properties" is a string but not valid JSON.');
      }
    }
  }
  const object = (properties ?? {}) as Record<string, unknown>;
  if (typeof object !== 'object' || Array.isArray(object)) {
    throw KustoEngineError.badRequest('Request "properties" must be a JSON object.');
  }
  const options = (object.Options ?? object.options ?? {}) as Record<string, unknown>;
  const parametersRaw = (object.Parameters ?? object.parameters) as Record<string, unknown> | undefined;

  let serverTimeoutMs = DEFAULT_SERVER_TIMEOUT_MS;
  const timeout = optionValue(options, 'servertimeout');
  if (timeout !== undefined && timeout !== null) {
    // A number is milliseconds (the SDKs send the timeout that way).
    const ticks =
      typeof timeout === 'number'
        ? BigInt(Math.round(timeout)) * TICKS_PER_MILLISECOND
        : parseTimespanTicks(typeof timeout === 'string' ? timeout : JSON.stringify(timeout));
    if (ticks === undefined || ticks <= 0n) {
      throw KustoEngineError.badRequest(
        `Request property 'servertimeout' must be a positive timespan such as 00:01:00; got ${JSON.stringify(timeout)}.`,
      );
    }
    serverTimeoutMs = Number(ticks / TICKS_PER_MILLISECOND);
  }
  const noTruncationValue = optionValue(options, 'notruncation');
  const noTruncation =
    noTruncationValue === true ||
    (typeof noTruncationValue === 'string' && ['true', '1'].includes(noTruncationValue.toLowerCase()));
  const truncationMaxRecords = positiveInteger(
    optionValue(options, 'truncationmaxrecords'),
    'truncationmaxrecords',
  );
  const truncationMaxSize = positiveInteger(optionValue(options, 'truncationmaxsize'), 'truncationmaxsize');

  let parameters: QueryParameterValues | undefined;
  if (parametersRaw && typeof parametersRaw === 'object') {
    parameters = {};
    for (const [name, value] of Object.entries(parametersRaw)) {
      if (value !== null && typeof value === 'object') {
        parameters[name] = JSON.stringify(value);
      } else {
        parameters[name] = value as string | number | boolean | null;
      }
    }
  }
  return {
    options: {
      serverTimeoutMs,
      noTruncation,
      truncationMaxRecords: truncationMaxRecords ?? DEFAULT_TRUNCATION_MAX_RECORDS,
      truncationMaxSize: truncationMaxSize ?? DEFAULT_TRUNCATION_MAX_SIZE,
    },
    parameters,
  };
}
