/**
 * Ingestion mappings: validation of `.create table T ingestion json|csv mapping` definitions, and the row
 * mapper that takes a parsed record to one canonical text value per table column (see value-coercion.ts).
 * Columns the mapping does not mention are null, as in ADX.
 */
import type { ColumnSchema } from '../compiler/compiler-types.js';
import { formatDatetimeTicks, UNIX_EPOCH_TICKS } from '../compiler/kusto-time.js';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import type { ColumnMappingElement, MappingKind, TableEntry } from '../storage/catalog-types.js';
import { coerceValue } from './value-coercion.js';

type Accessor = (record: unknown) => unknown;
type Transform =
  | 'DateTimeFromUnixSeconds'
  | 'DateTimeFromUnixMilliseconds'
  | 'DateTimeFromUnixMicroseconds'
  | 'DateTimeFromUnixNanoseconds'
  | 'SourceLocation'
  | 'SourceLineNumber';

const TRANSFORMS: readonly string[] = [
  'DateTimeFromUnixSeconds',
  'DateTimeFromUnixMilliseconds',
  'DateTimeFromUnixMicroseconds',
  'DateTimeFromUnixNanoseconds',
  'SourceLocation',
  'SourceLineNumber',
];

/** 100 ns ticks per unit of each unix-time transform, as a fraction (nanoseconds: 1/100). */
const UNIX_TICKS: Record<string, { multiply: bigint; divide: bigint }> = {
  DateTimeFromUnixSeconds: { multiply: 10_000_000n, divide: 1n },
  DateTimeFromUnixMilliseconds: { multiply: 10_000n, divide: 1n },
  DateTimeFromUnixMicroseconds: { multiply: 10n, divide: 1n },
  DateTimeFromUnixNanoseconds: { multiply: 1n, divide: 100n },
};

/** Compiles `$.a.b`, `$['a b']`, `$.items[0]`, `$` into an accessor; undefined if the path is not supported. */
export function compileJsonPath(path: string): Accessor | undefined {
  const text = path.trim();
  if (!text.startsWith('$')) {
    return undefined;
  }
  const steps: Array<string | number> = [];
  let i = 1;
  while (i < text.length) {
    if (text[i] === '.') {
      const match = /^[^.[\]]+/.exec(text.slice(i + 1));
      if (!match) {
        return undefined;
      }
      steps.push(match[0]);
      i += 1 + match[0].length;
    } else if (text[i] === '[') {
      const rest = text.slice(i);
      const quoted = /^\[\s*(['"])((?:(?!\1).)*)\1\s*\]/.exec(rest);
      const index = /^\[\s*(\d+)\s*\]/.exec(rest);
      if (quoted) {
        steps.push(quoted[2]);
        i += quoted[0].length;
      } else if (index) {
        steps.push(Number(index[1]));
        i += index[0].length;
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return (record: unknown): unknown => {
    let current = record;
    for (const step of steps) {
      if (current === null || typeof current !== 'object') {
        return undefined;
      }
      current = (current as Record<string | number, unknown>)[step];
    }
    return current;
  };
}

/** Mapping property values may be numbers (`"Ordinal": 0`) or strings. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function invalid(mappingName: string, message: string): KustoEngineError {
  return KustoEngineError.semantic(`Ingestion mapping '${mappingName}' is invalid: ${message}`);
}

/**
 * Validates a mapping definition against the table and returns it in the normalized
 * `{column, datatype?, Properties}` form (legacy `path`/`Ordinal` spellings are accepted on the way in).
 */
export function parseMappingDefinition(
  text: string,
  kind: MappingKind,
  table: TableEntry,
  mappingName: string,
): ColumnMappingElement[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalid(mappingName, `the definition is not valid JSON (${(error as Error).message}).`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw invalid(mappingName, 'the definition must be a non-empty JSON array of column mappings.');
  }
  return parsed.map((raw: unknown, index): ColumnMappingElement => {
    if (raw === null || typeof raw !== 'object') {
      throw invalid(mappingName, `element ${index} is not an object.`);
    }
    const item = raw as Record<string, unknown>;
    const column = item.column ?? item.Column ?? item.Name;
    if (typeof column !== 'string' || column === '') {
      throw invalid(mappingName, `element ${index} has no "column".`);
    }
    if (!table.columns.some((c) => c.name === column)) {
      throw invalid(
        mappingName,
        `column '${column}' (element ${index}) does not exist in table '${table.name}'.`,
      );
    }
    const props = { ...((item.Properties ?? item.properties ?? {}) as Record<string, unknown>) };
    for (const legacy of ['path', 'Path', 'Ordinal', 'ordinal', 'ConstValue', 'Transform', 'transform']) {
      if (item[legacy] !== undefined && props[legacy[0].toUpperCase() + legacy.slice(1)] === undefined) {
        props[legacy[0].toUpperCase() + legacy.slice(1)] = item[legacy];
      }
    }
    const properties: NonNullable<ColumnMappingElement['Properties']> = {};
    if (props.Path !== undefined) {
      properties.Path = textOf(props.Path);
    }
    if (props.Ordinal !== undefined) {
      properties.Ordinal = textOf(props.Ordinal);
    }
    if (props.ConstValue !== undefined) {
      properties.ConstValue = textOf(props.ConstValue);
    }
    if (props.Transform !== undefined) {
      properties.Transform = textOf(props.Transform);
      if (!TRANSFORMS.includes(properties.Transform)) {
        throw invalid(
          mappingName,
          `transform '${properties.Transform}' of column '${column}' is not supported (supported: ${TRANSFORMS.join(', ')}).`,
        );
      }
    }
    const sourceTransform =
      properties.Transform === 'SourceLocation' || properties.Transform === 'SourceLineNumber';
    if (
      kind === 'Json' &&
      properties.Path === undefined &&
      properties.ConstValue === undefined &&
      !sourceTransform
    ) {
      throw invalid(mappingName, `column '${column}' needs a Path (e.g. "$.${column}") or a ConstValue.`);
    }
    if (kind === 'Json' && properties.Path !== undefined && !compileJsonPath(properties.Path)) {
      throw invalid(
        mappingName,
        `path '${properties.Path}' of column '${column}' is not supported; use $.a.b, $['a b'] or $.a[0].`,
      );
    }
    if (kind === 'Csv' && properties.ConstValue === undefined && !sourceTransform) {
      if (properties.Ordinal === undefined || !/^\d+$/.test(properties.Ordinal)) {
        throw invalid(
          mappingName,
          `column '${column}' needs a non-negative integer Ordinal or a ConstValue.`,
        );
      }
    }
    const element: ColumnMappingElement = { column, Properties: properties };
    const datatype = item.datatype ?? item.DataType;
    if (typeof datatype === 'string' && datatype !== '') {
      element.datatype = datatype;
    }
    return element;
  });
}

export type RowMapper = (record: unknown, recordNumber: number) => (string | null)[];

interface ColumnExtractor {
  column: ColumnSchema;
  extract: (record: unknown, recordNumber: number) => unknown;
  transform?: Transform;
}

/**
 * A unix time as ISO text with all 7 fractional digits. Integers are scaled exactly (a nanosecond count does
 * not fit a double); fractional numbers are rounded to the tick.
 */
function unixToIso(value: unknown, unit: { multiply: bigint; divide: bigint }): unknown {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  let ticks: bigint;
  if (/^-?\d+$/.test(text)) {
    const scaled = BigInt(text) * unit.multiply;
    ticks = scaled / unit.divide - (scaled % unit.divide < 0n ? 1n : 0n);
  } else {
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) {
      return null;
    }
    ticks = BigInt(Math.round((n * Number(unit.multiply)) / Number(unit.divide)));
  }
  return formatDatetimeTicks(UNIX_EPOCH_TICKS + ticks);
}

/**
 * Builds the per-record mapper for a table. Without a mapping, JSON records map by column name and CSV
 * records by position (ADX's identity mapping).
 */
export function createRowMapper(
  table: TableEntry,
  kind: MappingKind,
  mapping?: ColumnMappingElement[],
): RowMapper {
  const source = kind === 'Json' ? 'json' : 'text';
  const extractors: ColumnExtractor[] = [];
  if (!mapping) {
    table.columns.forEach((column, ordinal) => {
      extractors.push({
        column,
        extract:
          kind === 'Json'
            ? (record) => (record as Record<string, unknown>)[column.name]
            : (record) => (record as string[])[ordinal],
      });
    });
  } else {
    for (const element of mapping) {
      const column = table.columns.find((c) => c.name === element.column);
      if (!column) {
        throw KustoEngineError.semantic(
          `Ingestion mapping references column '${element.column}', which no longer exists in table '${table.name}'.`,
        );
      }
      const props = element.Properties ?? {};
      const transform = props.Transform as Transform | undefined;
      let extract: ColumnExtractor['extract'];
      if (transform === 'SourceLineNumber') {
        extract = (_record, recordNumber) => recordNumber;
      } else if (transform === 'SourceLocation') {
        extract = () => null;
      } else if (props.ConstValue !== undefined) {
        const constant = props.ConstValue;
        extract = () => constant;
      } else if (kind === 'Json') {
        const accessor = compileJsonPath(props.Path ?? '$') as Accessor;
        extract = (record) => accessor(record);
      } else {
        const ordinal = Number(props.Ordinal);
        extract = (record) => (record as string[])[ordinal];
      }
      extractors.push({ column, extract, transform });
    }
  }
  const positions = extractors.map((e) => table.columns.indexOf(e.column));
  const width = table.columns.length;
  return (record, recordNumber) => {
    const row: (string | null)[] = new Array<string | null>(width).fill(null);
    for (let i = 0; i < extractors.length; i += 1) {
      const extractor = extractors[i];
      let value = extractor.extract(record, recordNumber);
      const unit = extractor.transform ? UNIX_TICKS[extractor.transform] : undefined;
      if (unit !== undefined) {
        value = unixToIso(value, unit);
      }
      row[positions[i]] = coerceValue(value, extractor.column.type, source);
    }
    return row;
  };
}
