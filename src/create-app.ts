import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppOptions } from './app.module.js';
import { registerHttpMetrics } from './common/metrics/http-metrics.hook.js';
import { registerConnectionDrain } from './common/http/connection-drain.hook.js';
import { setLogLevel } from './common/logging/logger.js';
import { registerRequestIds } from './common/logging/request-id.hook.js';
import type { EnvConfig } from './config/env.dto.js';

/** Largest HTTP request body the gateway accepts (function parameters are small; this bounds abuse). */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;

/** Builds the gateway (not yet listening): Fastify adapter, JSON logs, metrics hook. */
export async function createApp(
  config: EnvConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  setLogLevel(config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_HTTP_BODY_BYTES,
    // Close idle keep-alive sockets on shutdown so `close()` only waits for requests actually in flight.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  registerRequestIds(adapter.getInstance());
  registerHttpMetrics(adapter.getInstance());
  registerConnectionDrain(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  return app;
}
