import {
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { inProcessIngestionEvents } from '../cache/in-process-ingestion-events.js';
import { TableLineage } from '../cache/table-lineage.js';
import { LIVE_LINEAGE, TABLE_COMMIT_BUS } from './live.tokens.js';
import { RedisCommitBus } from './redis-commit.bus.js';
import { InProcessCommitBus, type TableCommitBus } from './table-commit.bus.js';

/**
 * Publishes this process's ingestion commits on the bus, when ingestion runs here (KQLGATE_ROLE all or
 * ingestion), and closes the bus with the app.
 */
@Injectable()
export class TableCommitRelay implements OnModuleInit, OnApplicationShutdown {
  private detach?: () => void;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(TABLE_COMMIT_BUS) private readonly bus: TableCommitBus,
  ) {}

  async onModuleInit(): Promise<void> {
    const events = await inProcessIngestionEvents(this.moduleRef);
    this.detach = events?.onBatchCommitted(({ database, table, rows }) => {
      if (rows > 0) {
        this.bus.publish({ database, table, rows });
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.detach?.();
    await this.bus.close();
  }
}

/**
 * The table-commit bus between ingestion and live results: Redis pub/sub with REDIS_URL (an ingestion replica
 * reaches every gateway replica, and bumps the shared cache generations as it publishes), in-process otherwise;
 * and the lineage of kql/tables, which says what a commit to a table changes. Global; imported for every
 * KQLGATE_ROLE.
 */
@Global()
@Module({
  providers: [
    {
      provide: LIVE_LINEAGE,
      inject: [EnvConfig],
      useFactory: (config: EnvConfig) => TableLineage.fromKqlDir(config.KQL_DIR),
    },
    {
      provide: TABLE_COMMIT_BUS,
      inject: [EnvConfig, LIVE_LINEAGE],
      useFactory: (config: EnvConfig, lineage: TableLineage): TableCommitBus =>
        config.REDIS_URL
          ? RedisCommitBus.connect(config.REDIS_URL, lineage, createLogger('live'))
          : new InProcessCommitBus(),
    },
    TableCommitRelay,
  ],
  exports: [TABLE_COMMIT_BUS, LIVE_LINEAGE],
})
export class LiveCommitsModule {}
