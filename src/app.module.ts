import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from './common/health/health.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { ConfigModule } from './config/config.module.js';
import type { EnvConfig, KqlgateRole } from './config/env.dto.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import type { IngestionPipeline } from './ingestion/ingestion-pipeline.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { CacheModule } from './modules/cache/cache.module.js';
import type { CatalogAnalyzer } from './modules/catalog/catalog-analyzer.js';
import type { CatalogCommand } from './modules/catalog/catalog.types.js';
import { CatalogModule } from './modules/catalog/catalog.module.js';
import { ExplorerModule } from './modules/explorer/explorer.module.js';
import { GraphqlModule } from './modules/graphql/graphql.module.js';
import { McpModule } from './modules/mcp/mcp.module.js';
import { GraphqlSubscriptionsModule } from './modules/live/graphql-subscriptions.module.js';
import { LiveCommitsModule } from './modules/live/live-commits.module.js';
import { LiveModule } from './modules/live/live.module.js';
import { QueryModule } from './modules/query/query.module.js';
import { RateLimitModule } from './modules/rate-limit/rate-limit.module.js';
import { RedisModule } from './modules/redis/redis.module.js';
import { RestModule } from './modules/rest/rest.module.js';

export interface AppOptions {
  /** KQLGATE_ROLE's modules: the gateway's API, the ingestion's health and metrics, or both. Default all. */
  role?: KqlgateRole;
  /** Re-analyze kql/ on file changes and swap the API atomically (`npm start -- --watch`). */
  watchKql?: boolean;
  /** An ingestion pipeline already started (by `npm start`, before the gateway loads) for the app to adopt. */
  ingestionPipeline?: IngestionPipeline;
  /** Where kql/ is analyzed; default: the main thread (`npm start` passes a CatalogAnalysisThread). */
  catalogAnalyzer?: CatalogAnalyzer;
  /** The commands of kql/ `npm start` deployed to the embedded engine before the app started (see QueryModule). */
  deployedAtStart?: Promise<readonly CatalogCommand[] | undefined>;
}

/**
 * The kqlgate application: cross-cutting modules first, then the gateway (catalog → one query path → REST,
 * GraphQL and MCP, with the auth, rate-limit and cache modules bound to the query hooks) and the ingestion pipeline.
 */
@Module({})
export class AppModule {
  static forRoot(config: EnvConfig, options: AppOptions = {}): DynamicModule {
    const role = options.role ?? 'all';
    const gateway = [
      CatalogModule.forRoot({ watch: options.watchKql ?? false, analyzer: options.catalogAnalyzer }),
      QueryModule.forRoot({ deployedAtStart: options.deployedAtStart }),
      AuthModule,
      RedisModule,
      RateLimitModule,
      CacheModule,
      RestModule,
      GraphqlModule,
      McpModule,
      LiveModule,
      ExplorerModule,
      GraphqlSubscriptionsModule,
    ];
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        HealthModule,
        MetricsModule,
        LiveCommitsModule,
        ...(role === 'ingestion' ? [] : gateway),
        ...(role === 'gateway' ? [] : [IngestionModule.forRoot(options.ingestionPipeline)]),
      ],
    };
  }
}
