import type { KustoScalarType } from '@kqlgate/kql-language';
import type { CatalogFunction, CatalogParameter } from './catalog.types.js';
import { describeRange, numericBounds } from './parameter-range.js';

/**
 * JSON Schema of a catalog function's parameters and rows: the one mapping from Kusto types to JSON Schema,
 * shared by every surface that describes functions to machines (the OpenAPI document, the MCP tools). Built from
 * the catalog alone, so it is deterministic for a given catalog.
 */
export type JsonSchema = Record<string, unknown>;

/** Response-side schema: the JSON a Kusto value of `type` becomes in a result row (see result-mapper.ts). */
export function kustoTypeSchema(type: KustoScalarType): JsonSchema {
  switch (type) {
    case 'string':
      return { type: 'string' };
    case 'bool':
      return { type: 'boolean' };
    case 'int':
      return { type: 'integer', format: 'int32' };
    case 'long':
      return {
        type: ['integer', 'string'],
        format: 'int64',
        description: 'A number, or a decimal string when beyond ±2^53',
      };
    case 'real':
      return { type: 'number', format: 'double' };
    case 'decimal':
      return { type: 'string', format: 'decimal' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'timespan':
      return {
        type: 'string',
        pattern: '^-?(\\d+\\.)?\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,7})?$',
        description: 'Kusto timespan [d.]hh:mm:ss[.fffffff]',
        examples: ['01:30:00'],
      };
    case 'guid':
      return { type: 'string', format: 'uuid' };
    case 'dynamic':
      return { description: 'Any JSON value (Kusto dynamic)' };
  }
}

/** Request-side schema: what the parameter binder accepts for the type (see parameter-binder.ts). */
export function parameterSchema(p: CatalogParameter): JsonSchema {
  const base: JsonSchema = (() => {
    switch (p.type) {
      case 'long':
        return { type: ['integer', 'string'], format: 'int64', pattern: '^[+-]?\\d+$' };
      case 'timespan':
        return {
          type: 'string',
          description: 'A timespan: 30m, 1h, 2d, 1.02:00:00 or ISO-8601 PT1H',
          examples: ['1h'],
        };
      case 'datetime':
        return { type: 'string', format: 'date-time', examples: ['2024-05-01T00:00:00Z'] };
      case 'bool':
      case 'decimal':
      case 'dynamic':
      case 'guid':
      case 'int':
      case 'real':
      case 'string':
        return kustoTypeSchema(p.type);
    }
  })();
  const withDefault =
    p.defaultValue === undefined || p.defaultValue === null ? base : { ...base, default: p.defaultValue };
  return p.range ? { ...withDefault, ...rangeSchema(p, withDefault) } : withDefault;
}

/** A declared range as JSON Schema: minimum/maximum for numbers, maxLength for strings, prose for the rest. */
function rangeSchema(p: CatalogParameter, schema: JsonSchema): JsonSchema {
  const range = p.range!;
  const extra: JsonSchema = { ...numericBounds(range) };
  if (range.maxLength !== undefined) {
    extra.maxLength = range.maxLength;
  }
  if (p.type === 'timespan' || p.type === 'datetime') {
    const described = describeRange(range);
    extra.description =
      typeof schema.description === 'string' ? `${schema.description}; ${described}` : described;
  }
  return extra;
}

/** One line on a parameter for people and agents: its KQL type, default and (unless told not to) range. */
export function parameterDescription(p: CatalogParameter, withRange = true): string {
  return `KQL type ${p.type}${p.defaultText === undefined ? '' : `; default ${p.defaultText}`}${withRange && p.range ? `; ${describeRange(p.range)}` : ''}`;
}

/** The parameters a caller passes: claim-bound ones are filled from the caller's identity and never listed. */
export function callerParameters(fn: CatalogFunction): CatalogParameter[] {
  return fn.parameters.filter((p) => !p.binding);
}

/** The caller's parameters as one JSON object (a POST body, an MCP tool's arguments). */
export function parametersObjectSchema(
  fn: CatalogFunction,
  property: (p: CatalogParameter) => JsonSchema = parameterSchema,
): JsonSchema {
  const visible = callerParameters(fn);
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(visible.map((p) => [p.name, property(p)])),
    required: visible.filter((p) => p.required).map((p) => p.name),
  };
}

/**
 * A result column's schema with `null` allowed: any Kusto cell may be empty (and a real NaN is sent as null), so
 * a client that validates rows against the schema (OpenAPI generators, MCP clients) must accept it.
 */
export function resultColumnSchema(type: KustoScalarType): JsonSchema {
  const schema = kustoTypeSchema(type);
  const declared = schema.type as string | string[] | undefined;
  if (declared === undefined) {
    return schema;
  }
  return { ...schema, type: [...(Array.isArray(declared) ? declared : [declared]), 'null'] };
}

/** One row of the function's result, from the analyzed output columns. */
export function rowSchema(fn: CatalogFunction): JsonSchema {
  return {
    type: 'object',
    description: `One row of ${fn.name}`,
    properties: Object.fromEntries(
      fn.outputColumns.map((c) => [c.name, { ...resultColumnSchema(c.type), 'x-kusto-type': c.type }]),
    ),
    required: fn.outputColumns.map((c) => c.name),
  };
}

/** The sentences saying which parameters come from the caller's claims (descriptions of a function). */
export function boundParameterNotes(fn: CatalogFunction): string[] {
  return fn.parameters
    .filter((p) => p.binding)
    .map((p) => `\`${p.name}\` is taken from the caller's \`${p.binding!.claim}\` claim.`);
}
