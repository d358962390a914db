import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule, type AppOptions } from './app.module.js';
import { registerHttpMetrics } from './common/metrics/http-metrics.hook.js';
import { answerClientError } from './common/http/client-error.handler.js';
import { registerConnectionDrain } from './common/http/connection-drain.hook.js';
import { registerSecurityHeaders } from './common/http/security-headers.hook.js';
import { parseCorsOrigins } from './common/http/cors-origins.js';
import { corsOptions } from './common/http/cors.policy.js';
import { registerUpgradeOriginGuard } from './common/http/upgrade-origin.guard.js';
import { rootLogger, setLogLevel } from './common/logging/logger.js';
import { NestPinoLogger } from './common/logging/nest-pino.logger.js';
import { RequestLogController } from './common/logging/request-log.controller.js';
import { registerRequestIds, requestIdOf } from './common/logging/request-id.hook.js';
import { registerHttpTracing } from './common/telemetry/http-tracing.hook.js';
import { tracing } from './common/telemetry/kqlgate-tracer.js';
import type { EnvConfig } from './config/env.dto.js';

/** Largest HTTP request body the gateway accepts (function parameters are small; this bounds abuse). */
export const MAX_HTTP_BODY_BYTES = 1024 * 1024;

/**
 * Builds the gateway (not yet listening): Fastify adapter logging through the process root pino logger (one line
 * per request, with its request id), request ids, metrics hook, connection drain, CORS (CORS_ORIGINS) and the
 * WebSocket origin check; Nest's own lines through pino.
 */
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
    // Fastify's logger is our root logger: its own lines (errors of its default handler, failed sends) and each
    // request's `request.log` carry `reqId`; RequestLogController writes one line per request.
    loggerInstance: rootLogger(),
    logController: new RequestLogController(),
    genReqId: requestIdOf,
    // Requests Node's parser refuses (e.g. 431 headers too large) answer in problem JSON like every other error.
    clientErrorHandler: answerClientError,
    // The client address (rate limits, failed-authentication limits) and protocol (HSTS) come from the socket,
    // unless the peer is a proxy listed here: then from its X-Forwarded-For / X-Forwarded-Proto.
    trustProxy: config.TRUST_PROXY ? config.TRUST_PROXY.split(',').map((entry) => entry.trim()) : false,
  });
  if (tracing.enabled) {
    registerHttpTracing(adapter.getInstance());
  }
  registerRequestIds(adapter.getInstance());
  registerHttpMetrics(adapter.getInstance());
  registerConnectionDrain(adapter.getInstance());
  registerSecurityHeaders(adapter.getInstance(), { hstsMaxAgeSeconds: config.HSTS_MAX_AGE_SECONDS });
  const origins = parseCorsOrigins(config.CORS_ORIGINS);
  registerUpgradeOriginGuard(adapter.getInstance(), origins);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, {
    bufferLogs: true,
  });
  // Through Nest so that its hook runs before Nest middleware and every route's own hooks (a preflight carries no
  // credentials and must be answered before authentication); none without CORS_ORIGINS.
  const cors = corsOptions(config, origins);
  if (cors) {
    app.enableCors(cors);
  }
  app.useLogger(app.get(NestPinoLogger));
  return app;
}
