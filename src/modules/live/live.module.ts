import { Module } from '@nestjs/common';
import { EnvConfig } from '../../config/env.dto.js';
import { TableLineage } from '../cache/table-lineage.js';
import { FunctionStreamRoutes } from './function-stream.routes.js';
import { LiveResultsService } from './live-results.service.js';
import { LiveShutdownHook } from './live-shutdown.hook.js';
import { LIVE_LINEAGE } from './live.tokens.js';

/**
 * Live results (LiveResultsService), their SSE transport (`GET /api/v1/functions/{Name}/stream`) and their one
 * shutdown step (LiveShutdownHook, which the graphql-ws transport registers with). Needs
 * QueryModule, CatalogModule, CacheModule and LiveCommitsModule (global).
 */
@Module({
  providers: [
    {
      provide: LIVE_LINEAGE,
      inject: [EnvConfig],
      useFactory: (config: EnvConfig) => TableLineage.fromKqlDir(config.KQL_DIR),
    },
    LiveResultsService,
    LiveShutdownHook,
    FunctionStreamRoutes,
  ],
  exports: [LiveResultsService, LiveShutdownHook],
})
export class LiveModule {}
