import { Module } from '@nestjs/common';
import { McpRoutes } from './mcp.routes.js';
import { McpToolsService } from './mcp-tools.service.js';

/**
 * The exposed functions as MCP tools at /mcp (a plain Fastify route, see McpRoutes), when MCP_ENABLED is true.
 * Needs QueryModule and CatalogModule (global).
 */
@Module({ providers: [McpToolsService, McpRoutes] })
export class McpModule {}
