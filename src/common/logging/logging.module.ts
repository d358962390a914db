import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { rootLogger } from './logger.js';
import { REQUEST_ID_HEADER } from './request-id.hook.js';

/**
 * Structured JSON request logs through nestjs-pino, sharing the process root logger, each line carrying the
 * request id.
 */
@Module({})
export class LoggingModule {
  static forRoot(): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger: rootLogger(),
            // registerRequestIds() has already chosen the id and put it in the raw headers.
            genReqId: (request: IncomingMessage) =>
              String(request.headers[REQUEST_ID_HEADER] ?? randomUUID()),
            customLogLevel: (_request, response, error) =>
              error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
            // Health probes and scrapes would drown the log; they stay visible in the metrics.
            autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
          },
        }),
      ],
    };
  }
}
