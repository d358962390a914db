import { Module } from '@nestjs/common';
import { FunctionStreamRoutes } from './function-stream.routes.js';
import { LiveResultsService } from './live-results.service.js';
import { LiveShutdownHook } from './live-shutdown.hook.js';

/**
 * Live results (LiveResultsService), their SSE transport (`GET /api/v1/functions/{Name}/stream`) and their one
 * shutdown step (LiveShutdownHook, which the graphql-ws transport registers with). Needs
 * QueryModule, CatalogModule, CacheModule and LiveCommitsModule (global: the commit bus and the tables' lineage).
 */
@Module({
  providers: [LiveResultsService, LiveShutdownHook, FunctionStreamRoutes],
  exports: [LiveResultsService, LiveShutdownHook],
})
export class LiveModule {}
