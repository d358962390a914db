import { Module } from '@nestjs/common';
import { EnvConfig } from '../../config/env.dto.js';
import { TableLineage } from '../cache/table-lineage.js';
import { FunctionStreamRoutes } from './function-stream.routes.js';
import { LiveResultsService } from './live-results.service.js';
import { LIVE_LINEAGE } from './live.tokens.js';

/**
 * Live results (LiveResultsService) and their SSE transport (`GET /api/v1/functions/{Name}/stream`). Needs
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
    FunctionStreamRoutes,
  ],
  exports: [LiveResultsService],
})
export class LiveModule {}
