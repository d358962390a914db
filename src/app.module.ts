import { Module, type DynamicModule } from '@nestjs/common';
import { HealthModule } from './common/health/health.module.js';
import { LoggingModule } from './common/logging/logging.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { ConfigModule } from './config/config.module.js';
import type { EnvConfig } from './config/env.dto.js';

/** The gateway application: cross-cutting modules first, then the feature modules. */
@Module({})
export class AppModule {
  static forRoot(config: EnvConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), LoggingModule.forRoot(), HealthModule, MetricsModule],
    };
  }
}
