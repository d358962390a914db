import { Global, Module, type DynamicModule } from '@nestjs/common';
import { rootLogger } from './logger.js';
import { NestPinoLogger } from './nest-pino.logger.js';

/**
 * Nest's logger as the process root pino logger (see createApp, which installs it). The request lines themselves
 * are written by Fastify's own request logger (http-request-log.hook.ts), which shares the same root logger.
 */
@Global()
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: NestPinoLogger, useFactory: () => new NestPinoLogger(rootLogger()) }],
      exports: [NestPinoLogger],
    };
  }
}
