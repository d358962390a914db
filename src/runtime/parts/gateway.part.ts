/**
 * The HTTP side of kqlgate: the Nest application for the role — the gateway's API (catalog of kql/, REST, GraphQL)
 * and, with the ingestion in this process, its readiness checks; for the ingestion role alone, /health and
 * /metrics only. With the Kusto.Language host running, kql/ is analyzed there (or taken from the stored analysis),
 * never in this thread.
 */
import { join, resolve } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../../common/logging/logger.js';
import type { EnvConfig, KqlgateRole } from '../../config/env.dto.js';
import type { IngestionPipeline } from '../../ingestion/ingestion-pipeline.js';
import type { CatalogAnalyzer } from '../../modules/catalog/catalog-analyzer.js';
import type { Part } from '../part.js';

export interface GatewayInput {
  config: EnvConfig;
  role: KqlgateRole;
  /** Re-analyze kql/ on change (`npm start -- --watch`). */
  watchKql: boolean;
  /** The ingestion started before, adopted for readiness and cache invalidation. */
  pipeline?: IngestionPipeline;
  /** The Kusto.Language host's catalog port; without it kql/ is analyzed in this thread. */
  catalogPort?: MessagePort;
  /** Called once the application is initialized: the catalog is loaded and, with the embedded engine, deployed. */
  onInitialized?: () => void;
}

export interface GatewayFacts {
  app: NestFastifyApplication;
  url: string;
}

/** The catalog analyzer of the API: the stored analysis of kql/, else the Kusto.Language host or this thread. */
async function catalogAnalyzer(
  config: EnvConfig,
  catalogPort: MessagePort | undefined,
): Promise<{ analyzer: CatalogAnalyzer; close(): Promise<void> }> {
  const [
    { StoredCatalogAnalyzer },
    { RemoteCatalogAnalyzer },
    { inThreadCatalogAnalyzer },
    { KqlDirectorySource },
  ] = await Promise.all([
    import('../stored-catalog-analyzer.js'),
    import('../../modules/catalog/remote-catalog-analyzer.js'),
    import('../../modules/catalog/catalog-analyzer.js'),
    import('../../modules/catalog/kql-directory.source.js'),
  ]);
  const logger = createLogger('catalog');
  const remote = catalogPort ? RemoteCatalogAnalyzer.overPort(catalogPort, logger) : undefined;
  const analyzer = new StoredCatalogAnalyzer(
    join(resolve(config.DATA_DIR), 'catalog'),
    remote ?? inThreadCatalogAnalyzer,
    logger,
  );
  // The catalog service's first build is version 1; it runs while the gateway's modules load.
  analyzer.prefetch(await new KqlDirectorySource(resolve(config.KQL_DIR)).read(), 1);
  return { analyzer, close: () => remote?.close() ?? Promise.resolve() };
}

export const part: Part<GatewayInput, GatewayFacts> = {
  async start(input) {
    const { config } = input;
    const catalog = input.role === 'ingestion' ? undefined : await catalogAnalyzer(config, input.catalogPort);
    const { createApp } = await import('../../create-app.js');
    let app: NestFastifyApplication | undefined;
    const close = async (): Promise<void> => {
      await app?.close();
      await catalog?.close();
    };
    try {
      app = await createApp(config, {
        role: input.role,
        watchKql: input.watchKql,
        ingestionPipeline: input.pipeline,
        catalogAnalyzer: catalog?.analyzer,
      });
      await app.init();
      input.onInitialized?.();
      await app.listen({ port: config.PORT, host: config.HOST });
    } catch (error) {
      await close();
      throw error;
    }
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    return { facts: { app, url: `http://${config.HOST}:${port}` }, close };
  },
};
