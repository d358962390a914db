import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { createApp } from '../create-app.js';
import { startEmbeddedStack } from './embedded-stack.js';
import { ShutdownCoordinator } from './shutdown-coordinator.js';

export interface RunningKqlgate {
  app: NestFastifyApplication;
  url: string;
  shutdown: ShutdownCoordinator;
}

/**
 * Starts kqlgate in one process and wires graceful shutdown: the gateway stops accepting and drains in-flight
 * requests first, then the components below it close.
 */
export async function startKqlgate(config: EnvConfig): Promise<RunningKqlgate> {
  const logger = createLogger('runtime');
  const shutdown = new ShutdownCoordinator(logger, config.SHUTDOWN_TIMEOUT_MS);
  shutdown.installSignalHandlers();

  await startEmbeddedStack(config, shutdown, logger);

  const app = await createApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
  shutdown.add({ name: 'gateway', close: () => app.close() });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url }, `kqlgate listening on ${url}`);
  return { app, url, shutdown };
}
