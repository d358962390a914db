import { Module, type DynamicModule } from '@nestjs/common';
import { IngestionEvents } from './ingestion-events.js';
import type { IngestionPipeline } from './ingestion-pipeline.js';
import { IngestionService } from './ingestion.service.js';
import { STARTED_INGESTION_PIPELINE } from './started-ingestion.js';

/**
 * Service Bus → ADX ingestion (docs/ingestion.md). Needs the global ConfigModule (EnvConfig) and HealthModule
 * (ReadinessRegistry); exports IngestionEvents for cache invalidation.
 */
@Module({
  providers: [IngestionEvents, IngestionService],
  exports: [IngestionEvents],
})
export class IngestionModule {
  /** With `started`, the application adopts a pipeline started before it instead of starting its own. */
  static forRoot(started?: IngestionPipeline): DynamicModule {
    return {
      module: IngestionModule,
      providers: started ? [{ provide: STARTED_INGESTION_PIPELINE, useValue: started }] : [],
    };
  }
}
