import type { Catalog, CatalogFunction } from '../../catalog/catalog.types.js';
import {
  boundParameterNotes,
  callerParameters,
  parameterDescription,
  parameterSchema,
  parametersObjectSchema,
  rowSchema,
  type JsonSchema,
} from '../../catalog/function-json-schema.js';

export function rowSchemaName(fn: CatalogFunction): string {
  return `${fn.name}Row`;
}

/**
 * OpenAPI 3.1 for every exposed function, built from the catalog alone (parameter types and defaults from the
 * signature, response row schema from the analyzed output columns, required roles and limits from the exposure
 * header). Deterministic for a given catalog, so `kqlgate schema --openapi` output can be committed and diffed.
 */
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
    schemas[rowSchemaName(fn)] = rowSchema(fn);
    const visible = callerParameters(fn);
    const exposure = fn.exposure!;
    const description = [
      fn.docString ?? '',
      '',
      exposure.anonymous
        ? 'Callable without credentials.'
        : exposure.roles.length > 0
          ? `Requires one of the roles: ${exposure.roles.join(', ')}.`
          : 'Requires an authenticated caller.',
      ...boundParameterNotes(fn),
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
      // What the explorer shows beside the form (it reads this document with the caller's credentials).
      'x-kqlgate': {
        ...(fn.folder ? { folder: fn.folder } : {}),
        anonymous: exposure.anonymous,
        roles: exposure.roles,
        cost: exposure.cost,
        cacheTtlSeconds: exposure.cacheTtlMs / 1000,
        maxRows: exposure.maxRows,
        boundParameters: Object.fromEntries(
          fn.parameters.filter((p) => p.binding).map((p) => [p.name, p.binding!.claim]),
        ),
        parameterTypes: Object.fromEntries(visible.map((p) => [p.name, p.type])),
        columns: fn.outputColumns,
        ...(fn.chart ? { chart: fn.chart } : {}),
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
            'application/json': { schema: parametersObjectSchema(fn) },
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
