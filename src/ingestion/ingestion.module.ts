import { Module } from '@nestjs/common';
import { IngestionEvents } from './ingestion-events.js';
import { IngestionService } from './ingestion.service.js';

/**
 * Service Bus → ADX ingestion (docs/ingestion.md). Needs the global ConfigModule (EnvConfig) and HealthModule
 * (ReadinessRegistry); exports IngestionEvents for cache invalidation.
 */
@Module({
  providers: [IngestionEvents, IngestionService],
  exports: [IngestionEvents],
})
export class IngestionModule {}
