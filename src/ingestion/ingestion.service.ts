import { Inject, Injectable, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '../common/logging/logger.js';
import { ReadinessRegistry } from '../common/health/readiness-registry.js';
import { EnvConfig } from '../config/env.dto.js';
import { IngestionEvents } from './ingestion-events.js';
import type { IngestionPipeline } from './ingestion-pipeline.js';
import { buildIngestionPipeline, STARTED_INGESTION_PIPELINE } from './started-ingestion.js';

/**
 * Runs the ingestion pipeline for the lifetime of the Nest application: starts it at module init (ahead of the
 * catalog, which analyzes kql/ at bootstrap and needs seconds for it: ingestion does not depend on it) — or adopts
 * the one `npm start` started before loading the gateway — registers the `servicebus`, `kusto-ingest` and
 * `ingestion` (a backlog that stopped moving) readiness checks, relays committed batches to IngestionEvents, and
 * drains on shutdown (Nest calls onApplicationShutdown when app.close() runs).
 */
@Injectable()
export class IngestionService implements OnModuleInit, OnApplicationShutdown {
  private pipeline?: IngestionPipeline;

  constructor(
    private readonly config: EnvConfig,
    private readonly readiness: ReadinessRegistry,
    private readonly events: IngestionEvents,
    @Optional()
    @Inject(STARTED_INGESTION_PIPELINE)
    private readonly started?: IngestionPipeline,
  ) {}

  async onModuleInit(): Promise<void> {
    const pipeline = this.started ?? buildIngestionPipeline(this.config, createLogger('ingestion'));
    pipeline.onBatchCommitted((event) => this.events.emit(event));
    this.readiness.register('servicebus', () => pipeline.sourceStatus());
    this.readiness.register('kusto-ingest', () => pipeline.sinkStatus());
    this.readiness.register('ingestion', () => pipeline.progressStatus());
    this.pipeline = pipeline;
    if (!this.started) {
      await pipeline.start();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pipeline?.stop();
  }

  stats() {
    return this.pipeline?.stats();
  }
}
