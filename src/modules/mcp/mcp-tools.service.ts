import { Injectable, Optional } from '@nestjs/common';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import type { Principal } from '../auth/principal.js';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { describeError } from '../query/error-status.js';
import { FunctionQueryService } from '../query/function-query.service.js';
import { callableFunctions, visibleError, type FunctionVisibility } from '../query/function-visibility.js';
import { problemJson } from '../rest/problem-reply.js';
import { mcpTool, type McpToolDefinition, type McpToolResult } from './mcp-tool-builder.js';

/** The MCP_MAX_ROWS default: enough rows for an agent to reason over, few enough to fit a model's context. */
export const DEFAULT_MCP_MAX_ROWS = 100;

/** A `tools/call` answer: typed rows in `structuredContent`, or `isError` with the refusal's problem JSON. */
export type McpCallOutcome =
  | { isError?: false; content: [{ type: 'text'; text: string }]; structuredContent: McpToolResult }
  | { isError: true; content: [{ type: 'text'; text: string }] };

/**
 * What an MCP caller sees and calls: the exposed functions the principal may call, as tools, and each call run by
 * FunctionQueryService.execute — the one path REST and GraphQL take, so roles, claim binding, parameter checks,
 * rate limits, caching and the audit line are theirs. A refused or failed call is a tool error (`isError`)
 * carrying the same problem JSON a REST caller gets, so an agent can read what to change; it never fails the
 * protocol exchange.
 */
@Injectable()
export class McpToolsService {
  private readonly logger = createLogger('mcp');
  private readonly maxRows: number;
  private readonly visibility: FunctionVisibility;
  /** Keyed by the catalog's function object: a reload swaps in new objects, so changed tools are built again. */
  private readonly tools = new WeakMap<CatalogFunction, McpToolDefinition>();

  constructor(
    private readonly catalog: FunctionCatalogService,
    private readonly query: FunctionQueryService,
    @Optional() config?: EnvConfig,
  ) {
    this.maxRows = config?.MCP_MAX_ROWS ?? DEFAULT_MCP_MAX_ROWS;
    this.visibility = config?.functionVisibility ?? 'all';
  }

  /** The tools of the functions `principal` may call, by name; whatever FUNCTION_VISIBILITY says, no others. */
  list(principal: Principal): McpToolDefinition[] {
    return callableFunctions(this.catalog.current().functions, principal)
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((fn) => this.tool(fn));
  }

  async call(
    principal: Principal,
    name: string,
    args: Readonly<Record<string, unknown>>,
    options: { requestId: string; signal?: AbortSignal },
  ): Promise<McpCallOutcome> {
    try {
      const result = await this.query.execute(principal, name, args, options);
      const maxRows = Math.min(this.maxRows, result.meta.maxRows);
      const cut = result.rows.length > maxRows;
      const structured: McpToolResult = {
        rows: cut ? result.rows.slice(0, maxRows) : result.rows,
        rowCount: Math.min(result.rows.length, maxRows),
        truncated: cut || result.meta.truncated,
        maxRows,
        cache: result.meta.cache,
        catalogVersion: result.meta.catalogVersion,
        requestId: result.meta.requestId,
      };
      // MCP asks tools with structured results to send the same JSON as text for clients that read only content.
      return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
    } catch (error) {
      const shown = visibleError(error, name, principal, this.catalog.current().functions, this.visibility);
      const body = describeError(shown);
      if (body.status >= 500) {
        // As on REST (problem-reply.ts): the caller only learns that something broke; the log says what. Never
        // the arguments: parameter values may be customer ids (the audit line carries their hash).
        this.logger.error(
          { reqId: options.requestId, err: error, tool: name, code: body.code },
          body.message,
        );
      }
      return {
        isError: true,
        content: [{ type: 'text', text: JSON.stringify(problemJson(body)) }],
      };
    }
  }

  private tool(fn: CatalogFunction): McpToolDefinition {
    let tool = this.tools.get(fn);
    if (!tool) {
      tool = mcpTool(fn, this.maxRows);
      this.tools.set(fn, tool);
    }
    return tool;
  }
}
