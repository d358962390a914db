import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { IngestionError, IngestionErrorCode } from './ingestion-error.js';
import { INGEST_FORMATS, isIngestFormat } from './ingest-format.js';
import { ENTITY_NAME_RULE, entityNameProblem } from './kusto-entity-name.js';
import { DELIVERY_MODES, type Delivery, type RouteRule, type RouteTable } from './table-router.js';

/** The route table used when INGEST_ROUTES_FILE is not set: only messages carrying a `Table` property route. */
export const EMPTY_ROUTE_TABLE: RouteTable = Object.freeze({ property: 'eventType', routes: {} });

/**
 * Reads INGEST_ROUTES_FILE (YAML or JSON):
 *
 * ```yaml
 * property: eventType            # default eventType
 * format: json                   # default format of every rule (default json)
 * routes:
 *   OrderPlaced: { table: Orders, mapping: orders_json }   # format defaults to json
 *   AuditLogged: { table: Audit, delivery: at-least-once }  # opt out of dedup (default exactly-once)
 * fallback: { table: RawEvents, mapping: raw_json }         # optional
 * ```
 */
export function loadRouteTable(path: string): RouteTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new IngestionError(
      IngestionErrorCode.InvalidConfiguration,
      `INGEST_ROUTES_FILE=${JSON.stringify(path)}: cannot read the routes file (${(error as Error).message})`,
      { path },
      error,
    );
  }
  let parsed: unknown;
  try {
    parsed = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new IngestionError(
      IngestionErrorCode.InvalidConfiguration,
      `INGEST_ROUTES_FILE=${JSON.stringify(path)}: not valid JSON/YAML (${(error as Error).message})`,
      { path },
      error,
    );
  }
  return parseRouteTable(parsed, path);
}

export function parseRouteTable(value: unknown, source: string): RouteTable {
  const problems: string[] = [];
  if (!isRecord(value)) {
    throw invalid(source, ['must be an object with "property" and "routes"']);
  }
  const property = value.property ?? 'eventType';
  if (typeof property !== 'string' || property.length === 0) {
    problems.push('"property" must be a non-empty string such as eventType');
  }
  const defaultFormat = value.format;
  if (
    defaultFormat !== undefined &&
    (typeof defaultFormat !== 'string' || !isIngestFormat(defaultFormat.toLowerCase()))
  ) {
    problems.push(`"format" must be one of ${INGEST_FORMATS.join(', ')}`);
  }
  const routes: Record<string, RouteRule> = {};
  if (value.routes !== undefined && !isRecord(value.routes)) {
    problems.push('"routes" must map property values to { table, format?, mapping?, delivery? }');
  } else {
    for (const [key, rule] of Object.entries(value.routes ?? {})) {
      const parsed = parseRule(rule, `routes.${key}`, problems);
      if (parsed) {
        routes[key] = parsed;
      }
    }
  }
  const fallback = value.fallback === undefined ? undefined : parseRule(value.fallback, 'fallback', problems);
  for (const key of Object.keys(value)) {
    // `$comment`-style keys are documentation (JSON has no comments).
    if (!key.startsWith('$') && !['property', 'format', 'routes', 'fallback'].includes(key)) {
      problems.push(`unknown key "${key}" (known: property, format, routes, fallback)`);
    }
  }
  if (problems.length > 0) {
    throw invalid(source, problems);
  }
  if (typeof defaultFormat === 'string' && isIngestFormat(defaultFormat.toLowerCase())) {
    const format = defaultFormat.toLowerCase() as RouteRule['format'];
    for (const rule of [...Object.values(routes), ...(fallback ? [fallback] : [])]) {
      rule.format ??= format;
    }
  }
  const table: RouteTable = { property: property as string, routes };
  if (fallback) {
    table.fallback = fallback;
  }
  return table;
}

function parseRule(value: unknown, where: string, problems: string[]): RouteRule | undefined {
  if (!isRecord(value)) {
    problems.push(`${where} must be an object { table, format?, mapping?, delivery? }`);
    return undefined;
  }
  const { table, format, mapping, delivery } = value;
  if (typeof table !== 'string' || table.length === 0) {
    problems.push(`${where}.table must be a table name`);
    return undefined;
  }
  const tableProblem = entityNameProblem(table);
  if (tableProblem !== undefined) {
    problems.push(
      `${where}.table ${JSON.stringify(table)} is not a Kusto table name: ${tableProblem} (${ENTITY_NAME_RULE})`,
    );
    return undefined;
  }
  const rule: RouteRule = { table };
  if (format !== undefined) {
    if (typeof format !== 'string' || !isIngestFormat(format.toLowerCase())) {
      problems.push(`${where}.format must be one of ${INGEST_FORMATS.join(', ')}`);
      return undefined;
    }
    rule.format = format.toLowerCase() as RouteRule['format'];
  }
  if (mapping !== undefined) {
    if (typeof mapping !== 'string' || mapping.length === 0) {
      problems.push(`${where}.mapping must be the name of an ingestion mapping on the table`);
      return undefined;
    }
    const mappingProblem = entityNameProblem(mapping);
    if (mappingProblem !== undefined) {
      problems.push(
        `${where}.mapping ${JSON.stringify(mapping)} is not a Kusto mapping name: ${mappingProblem} (${ENTITY_NAME_RULE})`,
      );
      return undefined;
    }
    rule.mapping = mapping;
  }
  if (delivery !== undefined) {
    if (!DELIVERY_MODES.includes(delivery as Delivery)) {
      problems.push(
        `${where}.delivery ${JSON.stringify(delivery)} must be one of ${DELIVERY_MODES.map((d) => JSON.stringify(d)).join(', ')}`,
      );
      return undefined;
    }
    rule.delivery = delivery as Delivery;
  }
  for (const key of Object.keys(value)) {
    if (!['table', 'format', 'mapping', 'delivery'].includes(key)) {
      problems.push(`${where}: unknown key "${key}" (known: table, format, mapping, delivery)`);
    }
  }
  return rule;
}

function invalid(source: string, problems: string[]): IngestionError {
  return new IngestionError(
    IngestionErrorCode.InvalidConfiguration,
    `INGEST_ROUTES_FILE=${JSON.stringify(source)}: ${problems.join('; ')}`,
    { path: source, problems },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
