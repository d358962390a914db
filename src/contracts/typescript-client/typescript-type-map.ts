import { KUSTO_SCALAR_TYPES, type KustoScalarType } from '@kqlgate/kql-language';
import { kustoTypeSchema, type JsonSchema } from '../../modules/catalog/function-json-schema.js';

/**
 * The TypeScript type of a JSON Schema of openapi.json. The client's types are read off the schemas the OpenAPI
 * document publishes (kustoTypeSchema for columns, parameterSchema for parameters) rather than decided again, so
 * the two contracts cannot drift: `long` is `number | string` because the gateway sends a number, or a decimal
 * string beyond ±2^53, and openapi.json says `["integer", "string"]`.
 */
export function typescriptTypeOf(schema: JsonSchema): string {
  const declared = schema.type;
  if (declared === undefined) {
    return 'unknown';
  }
  const names = Array.isArray(declared) ? (declared as unknown[]) : [declared];
  return [...new Set(names.map((name) => JSON_TYPES[String(name)] ?? unknownJsonType(name, schema)))].join(
    ' | ',
  );
}

const JSON_TYPES: Readonly<Record<string, string>> = {
  string: 'string',
  integer: 'number',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
  array: 'unknown[]',
  object: 'Record<string, unknown>',
};

function unknownJsonType(name: unknown, schema: JsonSchema): never {
  throw new Error(`no TypeScript type for the JSON Schema type ${String(name)} in ${JSON.stringify(schema)}`);
}

/**
 * The TypeScript type of a column value. Every column may also be null: Kusto values are nullable (an empty
 * aggregate, a left outer join, `real(null)`) and the gateway sends them as JSON null (result-mapper.ts).
 */
export function columnTypescriptType(type: KustoScalarType): string {
  const base = typescriptTypeOf(kustoTypeSchema(type));
  return base === 'unknown' ? base : `${base} | null`;
}

/** What the JSON of a column of this type holds, beyond its JSON type. */
const WIRE_NOTES: Record<KustoScalarType, string> = {
  bool: 'true or false',
  int: 'a 32-bit integer',
  long: 'a number; a decimal string beyond ±2^53 (Number.MAX_SAFE_INTEGER)',
  real: 'a number; NaN and ±Infinity arrive as null',
  decimal: 'a decimal string, exact (parse it with your decimal library)',
  string: 'a string',
  datetime: 'ISO 8601 UTC, e.g. 2024-05-01T10:00:00.0000000Z; toDate() makes a Date',
  timespan: 'Kusto timespan [d.]hh:mm:ss[.fffffff], e.g. 01:30:00',
  guid: 'a UUID string',
  dynamic: 'any JSON value',
};

/** What the JSON of a column of this type holds, for the column's JSDoc. */
export function wireNote(type: KustoScalarType): string {
  return WIRE_NOTES[type];
}

/**
 * The type table of the generated file's header and of docs/client.md: one row per Kusto type, Markdown (the `|`
 * of a union escaped, as a table cell needs).
 */
export function typeTableLines(): string[] {
  const rows = KUSTO_SCALAR_TYPES.map((type) => [
    type,
    `\`${columnTypescriptType(type).replace(/\|/g, '\\|')}\``,
    WIRE_NOTES[type],
  ]);
  const header = ['Kusto', 'TypeScript (column)', 'JSON the gateway sends'];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
