import type { KustoScalarType } from '@kqlgate/kql-language';
import type { Catalog, CatalogFunction, CatalogParameter } from '../../catalog/catalog.types.js';
import { describeRange, numericBounds } from '../../catalog/parameter-range.js';

/**
 * OpenAPI 3.1 for every exposed function, built from the catalog alone (parameter types and defaults from the
 * signature, response row schema from the analyzed output columns, required roles and limits from the exposure
 * header). Deterministic for a given catalog, so `kqlgate schema --openapi` output can be committed and diffed.
 */
export type JsonSchema = Record<string, unknown>;

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

/** What a caller reads about a parameter: its KQL type, its default as written in KQL and its declared range. */
export function parameterDescription(p: CatalogParameter): string {
  return `KQL type ${p.type}${p.defaultText === undefined ? '' : `; default ${p.defaultText}`}${p.range ? `; ${describeRange(p.range)}` : ''}`;
}

export function rowSchemaName(fn: CatalogFunction): string {
  return `${fn.name}Row`;
}

export function buildOpenApi(
  catalog: Catalog,
  /** `functions`: only these of the catalog's functions (a caller's view, see function-visibility.ts). */
  options: { serverUrl?: string; functions?: readonly CatalogFunction[] } = {},
): Record<string, unknown> {
  const exposed = (options.functions ?? catalog.functions)
    .filter((f) => f.exposure)
    .sort((a, b) => a.name.localeCompare(b.name));
  const schemas: Record<string, JsonSchema> = {
    QueryMeta: {
      type: 'object',
      required: ['function', 'rowCount', 'truncated', 'maxRows', 'columns', 'cache'],
      properties: {
        function: { type: 'string' },
        rowCount: { type: 'integer' },
        truncated: {
          type: 'boolean',
          description: 'More rows than maxRows existed; only maxRows are returned',
        },
        maxRows: { type: 'integer' },
        columns: {
          type: 'array',
          items: {
            type: 'object',
            properties: { name: { type: 'string' }, type: { type: 'string' } },
            required: ['name', 'type'],
          },
        },
        cache: { type: 'string', description: 'hit, miss, stale or bypass' },
        cacheTtlSeconds: { type: 'integer' },
        catalogVersion: { type: 'integer' },
        requestId: { type: 'string' },
        durationMs: { type: 'number' },
      },
    },
    Problem: {
      type: 'object',
      required: ['status', 'code', 'title'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        code: { type: 'string' },
        function: { type: 'string' },
        parameters: {
          type: 'array',
          description: 'Each bad parameter and what is wrong with it',
          items: {
            type: 'object',
            properties: { parameter: { type: 'string' }, message: { type: 'string' } },
            required: ['parameter', 'message'],
          },
        },
      },
    },
  };
  const paths: Record<string, unknown> = {};
  for (const fn of exposed) {
    schemas[rowSchemaName(fn)] = {
      type: 'object',
      description: `One row of ${fn.name}`,
      properties: Object.fromEntries(
        fn.outputColumns.map((c) => [c.name, { ...kustoTypeSchema(c.type), 'x-kusto-type': c.type }]),
      ),
      required: fn.outputColumns.map((c) => c.name),
    };
    const visible = fn.parameters.filter((p) => !p.binding);
    const exposure = fn.exposure!;
    const description = [
      fn.docString ?? '',
      '',
      exposure.anonymous
        ? 'Callable without credentials.'
        : exposure.roles.length > 0
          ? `Requires one of the roles: ${exposure.roles.join(', ')}.`
          : 'Requires an authenticated caller.',
      ...fn.parameters
        .filter((p) => p.binding)
        .map((p) => `\`${p.name}\` is taken from the caller's \`${p.binding!.claim}\` claim.`),
      `Cost ${exposure.cost} rate-limit point(s); cached ${exposure.cacheTtlMs / 1000}s; at most ${exposure.maxRows} rows; timeout ${exposure.timeoutMs / 1000}s.`,
      `Source: \`kql/${fn.file}\`.`,
    ].join('\n');
    const responses = {
      '200': {
        description: `Rows of ${fn.name}`,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['data', 'meta'],
              properties: {
                data: { type: 'array', items: { $ref: `#/components/schemas/${rowSchemaName(fn)}` } },
                meta: { $ref: '#/components/schemas/QueryMeta' },
              },
            },
          },
          'text/csv': { schema: { type: 'string' } },
          'application/x-ndjson': { schema: { type: 'string' } },
        },
      },
      '400': problem(
        'A parameter is missing, unknown, of the wrong type or outside its declared range, or the engine cannot compute with its value',
      ),
      '401': problem('Credentials are missing or invalid'),
      '403': problem('The caller lacks the required role or a bound claim'),
      '429': problem('Rate limit exceeded'),
      '502': problem('The engine failed the query'),
      '503': problem('The engine is unavailable or over its memory limit, or the gateway is shutting down'),
      '504': problem('The query exceeded its timeout (the engine query was cancelled)'),
    };
    const common = {
      tags: [fn.folder ?? 'functions'],
      summary: fn.docString ?? fn.name,
      description,
      ...(exposure.anonymous ? { security: [{}, { bearer: [] }, { apiKey: [] }] } : {}),
      'x-kqlgate': {
        roles: exposure.roles,
        cost: exposure.cost,
        cacheTtlSeconds: exposure.cacheTtlMs / 1000,
        maxRows: exposure.maxRows,
        boundParameters: Object.fromEntries(
          fn.parameters.filter((p) => p.binding).map((p) => [p.name, p.binding!.claim]),
        ),
      },
    };
    paths[`/api/v1/functions/${fn.name}`] = {
      get: {
        ...common,
        operationId: `get${fn.name}`,
        parameters: visible.map((p) => ({
          name: p.name,
          in: 'query',
          required: p.required,
          description: parameterDescription(p),
          schema: parameterSchema(p),
        })),
        responses,
      },
      post: {
        ...common,
        operationId: `post${fn.name}`,
        requestBody: {
          required: visible.some((p) => p.required),
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: Object.fromEntries(visible.map((p) => [p.name, parameterSchema(p)])),
                required: visible.filter((p) => p.required).map((p) => p.name),
              },
            },
          },
        },
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'kqlgate function API',
      version: `catalog-${catalog.version}`,
      description:
        'One endpoint per KQL stored function of kql/functions. Parameters are bound as Kusto query parameters; ' +
        'results come back as {"data": [rows], "meta": {...}}, or CSV/NDJSON by Accept header.',
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ bearer: [] }, { apiKey: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
  };
}

function problem(description: string): Record<string, unknown> {
  return {
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}
