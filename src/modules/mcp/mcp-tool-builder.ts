import type { CatalogFunction } from '../catalog/catalog.types.js';
import {
  boundParameterNotes,
  parameterDescription,
  parameterSchema,
  parametersObjectSchema,
  rowSchema,
  type JsonSchema,
} from '../catalog/function-json-schema.js';

/** An MCP tool definition (`tools/list`), as the protocol's `Tool` type has it. */
export interface McpToolDefinition {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchema & { type: 'object' };
  outputSchema: JsonSchema & { type: 'object' };
}

/** What a successful tool call returns as `structuredContent` (see McpToolDefinition.outputSchema). */
export interface McpToolResult {
  [key: string]: unknown;
  rows: Record<string, unknown>[];
  rowCount: number;
  /** More rows existed than were returned (the function's own maxRows or MCP_MAX_ROWS, whichever is lower). */
  truncated: boolean;
  maxRows: number;
  cache: string;
  catalogVersion: number;
  requestId: string;
}

/**
 * An exposed function as an MCP tool: the name is the function's, the arguments are its caller-supplied
 * parameters (claim-bound ones are filled from the caller's token and are not in the schema), the description is
 * its docstring, and the structured result holds its rows typed by the analyzed output columns. The schemas come
 * from the same mapping as the OpenAPI document (function-json-schema.ts).
 */
export function mcpTool(fn: CatalogFunction, maxRows: number): McpToolDefinition {
  const exposure = fn.exposure!;
  const rows = Math.min(maxRows, exposure.maxRows);
  const description = [
    fn.docString ?? fn.name,
    ...boundParameterNotes(fn),
    `Returns at most ${rows} rows; \`truncated\` is true when more existed (narrow the parameters to see them).`,
  ].join('\n');
  const input = parametersObjectSchema(fn, (p) => {
    const schema = parameterSchema(p);
    // A schema's own description is the type's format hint, with the range of a timespan or datetime in it.
    return {
      ...schema,
      description:
        typeof schema.description === 'string'
          ? `${parameterDescription(p, false)}. ${schema.description}`
          : parameterDescription(p),
    };
  });
  return {
    name: fn.name,
    ...(fn.docString ? { title: fn.docString } : {}),
    description,
    inputSchema: { ...input, type: 'object' },
    outputSchema: {
      type: 'object',
      required: ['rows', 'rowCount', 'truncated', 'maxRows', 'cache', 'catalogVersion', 'requestId'],
      properties: {
        rows: { type: 'array', items: rowSchema(fn) },
        rowCount: { type: 'integer' },
        truncated: { type: 'boolean', description: 'More rows existed; only maxRows are returned' },
        maxRows: { type: 'integer' },
        cache: { type: 'string', description: 'hit, miss, stale or bypass' },
        catalogVersion: { type: 'integer' },
        requestId: { type: 'string' },
      },
    },
  };
}
