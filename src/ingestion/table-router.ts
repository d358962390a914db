/**
 * Decides which table a message goes to, following the convention of ADX's own Event Hub / Service Bus data
 * connections: the application properties `Table`, `Format` and `IngestionMappingReference` on the message win;
 * otherwise a route table from config maps the value of one property (default `eventType`, looked up in the
 * application properties first, then in the JSON body) to a table, format and mapping. Pure logic: no I/O.
 */
import { DeadLetterReason } from './dead-letter-reason.js';
import { INGEST_FORMATS, isIngestFormat, type IngestFormat } from './ingest-format.js';
import { ENTITY_NAME_RULE, entityNameProblem } from './kusto-entity-name.js';

/**
 * `exactly-once` (default): the table must hold the dedup column, and every message id is looked up before ingest
 * (INGEST_DEDUP). `at-least-once`: the route opts out — no lookup, and a crash or resend can duplicate rows; for
 * tables that cannot hold message ids.
 */
export const DELIVERY_MODES = ['exactly-once', 'at-least-once'] as const;
export type Delivery = (typeof DELIVERY_MODES)[number];

export interface RouteRule {
  table: string;
  format?: IngestFormat;
  mapping?: string;
  delivery?: Delivery;
}

export interface RouteTable {
  /** The property whose value selects a rule, e.g. `eventType`. */
  property: string;
  /** Property value → target. */
  routes: Record<string, RouteRule>;
  /** Used when the property is absent or its value has no rule; absent means such messages are unroutable. */
  fallback?: RouteRule;
}

export interface RouteTarget {
  table: string;
  format: IngestFormat;
  mappingReference?: string;
}

export type RouteDecision =
  | { kind: 'routed'; target: RouteTarget }
  | { kind: 'rejected'; reason: DeadLetterReason; description: string };

export const TABLE_PROPERTY = 'Table';
export const FORMAT_PROPERTY = 'Format';
export const MAPPING_PROPERTY = 'IngestionMappingReference';

export class TableRouter {
  constructor(private readonly routeTable: RouteTable) {}

  /** Every rule with where it is in the route table (`routes."order.placed"`, `fallback`), for start-up checks. */
  rules(): Array<{ where: string; rule: RouteRule }> {
    const rules = Object.entries(this.routeTable.routes).map(([key, rule]) => ({
      where: `routes.${JSON.stringify(key)}`,
      rule,
    }));
    return this.routeTable.fallback
      ? [...rules, { where: 'fallback', rule: this.routeTable.fallback }]
      : rules;
  }

  route(applicationProperties: Record<string, unknown> | undefined, body: unknown): RouteDecision {
    const props = applicationProperties ?? {};
    const format = this.formatOf(props);
    if (format.kind === 'rejected') {
      return format;
    }
    const table = stringProperty(props, TABLE_PROPERTY);
    const mapping = stringProperty(props, MAPPING_PROPERTY);
    const invalid =
      invalidName(TABLE_PROPERTY, 'table', table) ?? invalidName(MAPPING_PROPERTY, 'mapping', mapping);
    if (invalid) {
      return invalid;
    }
    if (table !== undefined) {
      return routed({ table, format: format.value ?? 'json', mappingReference: mapping });
    }

    const key = this.routeTable.property;
    const value = stringProperty(props, key) ?? bodyProperty(body, key);
    const rule =
      (value !== undefined ? this.routeTable.routes[value] : undefined) ?? this.routeTable.fallback;
    if (rule === undefined) {
      return {
        kind: 'rejected',
        reason: DeadLetterReason.Unroutable,
        description:
          value === undefined
            ? `missing application property '${TABLE_PROPERTY}' and no '${key}' (application property or body field) to route by`
            : `missing application property '${TABLE_PROPERTY}' and '${key}'='${value}' matches no route (known: ${Object.keys(this.routeTable.routes).join(', ') || 'none'})`,
      };
    }
    return routed({
      table: rule.table,
      format: format.value ?? rule.format ?? 'json',
      mappingReference: mapping ?? rule.mapping,
    });
  }

  private formatOf(
    props: Record<string, unknown>,
  ): { kind: 'ok'; value: IngestFormat | undefined } | Extract<RouteDecision, { kind: 'rejected' }> {
    const raw = stringProperty(props, FORMAT_PROPERTY);
    if (raw === undefined) {
      return { kind: 'ok', value: undefined };
    }
    const normalized = raw.toLowerCase();
    if (!isIngestFormat(normalized)) {
      return {
        kind: 'rejected',
        reason: DeadLetterReason.UnsupportedFormat,
        description: `application property '${FORMAT_PROPERTY}'='${raw}' is not supported (use one of ${INGEST_FORMATS.join(', ')})`,
      };
    }
    return { kind: 'ok', value: normalized };
  }
}

/** Names reach the ingest request URL: one that is not a Kusto entity name is refused, never escaped into shape. */
function invalidName(
  property: string,
  kind: 'table' | 'mapping',
  value: string | undefined,
): Extract<RouteDecision, { kind: 'rejected' }> | undefined {
  const problem = value === undefined ? undefined : entityNameProblem(value);
  if (problem === undefined) {
    return undefined;
  }
  return {
    kind: 'rejected',
    reason: DeadLetterReason.InvalidTargetName,
    description: `application property '${property}'=${shown(value!)} is not a valid Kusto ${kind} name: ${problem} (a name has ${ENTITY_NAME_RULE})`,
  };
}

/** The value as a JSON string, cut at 128 characters: a 1 MB property must not become a 1 MB description. */
function shown(value: string): string {
  return value.length > 128 ? `${JSON.stringify(value.slice(0, 128)).slice(0, -1)}…"` : JSON.stringify(value);
}

function routed(target: RouteTarget): RouteDecision {
  const clean: RouteTarget = { table: target.table, format: target.format };
  if (target.mappingReference !== undefined) {
    clean.mappingReference = target.mappingReference;
  }
  return { kind: 'routed', target: clean };
}

function stringProperty(props: Record<string, unknown>, name: string): string | undefined {
  const value = props[name];
  if (typeof value === 'string') {
    return value.length > 0 ? value : undefined;
  }
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function bodyProperty(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    return undefined;
  }
  return stringProperty(body as Record<string, unknown>, name);
}
