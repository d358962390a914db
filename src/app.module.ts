import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from './common/health/health.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { ConfigModule } from './config/config.module.js';
import type { EnvConfig } from './config/env.dto.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { SecurityModule } from './modules/auth/security.module.js';
import { CatalogModule } from './modules/catalog/catalog.module.js';
import { GraphqlModule } from './modules/graphql/graphql.module.js';
import { QueryModule } from './modules/query/query.module.js';
import { RestModule } from './modules/rest/rest.module.js';

export interface AppOptions {
  /** Re-analyze kql/ on file changes and swap the API atomically (`npm start -- --watch`). */
  watchKql?: boolean;
}

/**
 * The kqlgate application: cross-cutting modules first, then the gateway (catalog → one query path → REST and
 * GraphQL, with the security module bound to the query hooks) and the ingestion pipeline.
 */
@Module({})
export class AppModule {
  static forRoot(config: EnvConfig, options: AppOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(),
        HealthModule,
        MetricsModule,
        CatalogModule.forRoot({ watch: options.watchKql ?? false }),
        QueryModule.forRoot(),
        SecurityModule,
        RestModule,
        GraphqlModule,
        IngestionModule,
      ],
    };
  }
}
