import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '../common/logging/logger.js';
import { ReadinessRegistry } from '../common/health/readiness-registry.js';
import { EnvConfig } from '../config/env.dto.js';
import { createIngestionPipeline, ingestionSettingsFromConfig } from './ingestion-factory.js';
import { IngestionEvents } from './ingestion-events.js';
import type { IngestionPipeline } from './ingestion-pipeline.js';

/**
 * Runs the ingestion pipeline for the lifetime of the Nest application: starts at module init (ahead of the
 * catalog, which analyzes kql/ at bootstrap and needs seconds for it: ingestion does not depend on it), registers the
 * `servicebus` and `kusto-ingest` readiness checks, relays committed batches to IngestionEvents, and drains
 * on shutdown (Nest calls onApplicationShutdown when app.close() runs).
 */
@Injectable()
export class IngestionService implements OnModuleInit, OnApplicationShutdown {
  private pipeline?: IngestionPipeline;

  constructor(
    private readonly config: EnvConfig,
    private readonly readiness: ReadinessRegistry,
    private readonly events: IngestionEvents,
  ) {}

  async onModuleInit(): Promise<void> {
    const logger = createLogger('ingestion');
    const pipeline = createIngestionPipeline(ingestionSettingsFromConfig(this.config), logger);
    let first = true;
    pipeline.onBatchCommitted((event) => {
      if (first) {
        first = false;
        // A start-up milestone (README's timings, the `demo` bench): seconds since the process started.
        const seconds = Math.round(process.uptime() * 100) / 100;
        logger.info(
          { table: event.table, rows: event.rows, sinceStartS: seconds },
          `first event ingested after ${seconds} s`,
        );
      }
      this.events.emit(event);
    });
    this.readiness.register('servicebus', () => pipeline.sourceStatus());
    this.readiness.register('kusto-ingest', () => pipeline.sinkStatus());
    this.pipeline = pipeline;
    await pipeline.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pipeline?.stop();
  }

  stats() {
    return this.pipeline?.stats();
  }
}
