import type { ChartSpec, ExplorerColumn, ExplorerFunction, ExplorerParameter } from './explorer-function.js';

interface OpenApiParameter {
  name: string;
  required?: boolean;
  description?: string;
  schema?: { default?: unknown; minimum?: number; maximum?: number; maxLength?: number };
}

interface OpenApiOperation {
  summary?: string;
  description?: string;
  parameters?: OpenApiParameter[];
  'x-kqlgate'?: {
    folder?: string;
    anonymous?: boolean;
    roles?: string[];
    cost?: number;
    cacheTtlSeconds?: number;
    maxRows?: number;
    boundParameters?: Record<string, string>;
    parameterTypes?: Record<string, string>;
    columns?: ExplorerColumn[];
    chart?: ChartSpec;
  };
}

export interface OpenApiDocument {
  paths?: Record<string, { get?: OpenApiOperation }>;
}

const PREFIX = '/api/v1/functions/';

/**
 * The functions of an OpenAPI document the gateway built for this caller (its `GET` operations and their
 * `x-kqlgate` facts), sorted by folder then name. The document is the explorer's only source: it is already
 * narrowed to what the caller may call when FUNCTION_VISIBILITY=callable.
 */
export function functionsOf(document: OpenApiDocument): ExplorerFunction[] {
  const functions: ExplorerFunction[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const operation = item.get;
    if (!path.startsWith(PREFIX) || !operation) {
      continue;
    }
    const facts = operation['x-kqlgate'] ?? {};
    const name = path.slice(PREFIX.length);
    functions.push({
      name,
      folder: facts.folder ?? '(no folder)',
      summary: operation.summary ?? name,
      description: operation.description ?? '',
      parameters: (operation.parameters ?? []).map((p) => parameterOf(p, facts.parameterTypes ?? {})),
      columns: facts.columns ?? [],
      roles: facts.roles ?? [],
      anonymous: facts.anonymous ?? false,
      cost: facts.cost ?? 1,
      cacheTtlSeconds: facts.cacheTtlSeconds ?? 0,
      maxRows: facts.maxRows ?? 0,
      boundParameters: facts.boundParameters ?? {},
      ...(facts.chart ? { chart: facts.chart } : {}),
    });
  }
  return functions.sort((a, b) => a.folder.localeCompare(b.folder) || a.name.localeCompare(b.name));
}

function parameterOf(p: OpenApiParameter, types: Record<string, string>): ExplorerParameter {
  const schema = p.schema ?? {};
  const fallback = schema.default;
  return {
    name: p.name,
    type: types[p.name] ?? 'string',
    required: p.required ?? false,
    description: p.description ?? '',
    ...(fallback === undefined || fallback === null
      ? {}
      : { defaultText: typeof fallback === 'string' ? fallback : JSON.stringify(fallback) }),
    ...(schema.minimum === undefined ? {} : { minimum: schema.minimum }),
    ...(schema.maximum === undefined ? {} : { maximum: schema.maximum }),
    ...(schema.maxLength === undefined ? {} : { maxLength: schema.maxLength }),
  };
}
