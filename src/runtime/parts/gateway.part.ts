/**
 * The HTTP side of kqlgate: the Nest application for the role — the gateway's API (catalog of kql/, REST, GraphQL)
 * and, with the ingestion in this process, its readiness checks; for the ingestion role alone, /health and
 * /metrics only. With the Kusto.Language host running, kql/ is analyzed there (or taken from the stored analysis),
 * never in this thread.
 */
import { resolve } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '../../common/logging/logger.js';
// Static: the application's modules (seconds of loading) load when the part is prepared, while the main thread
// waits for the engine and the broker, not once the parts this one needs are ready.
import { createApp } from '../../create-app.js';
import type { EnvConfig, KqlgateRole } from '../../config/env.dto.js';
import type { IngestionPipeline } from '../../ingestion/ingestion-pipeline.js';
import type { CatalogAnalyzer } from '../../modules/catalog/catalog-analyzer.js';
import type { Catalog, CatalogCommand } from '../../modules/catalog/catalog.types.js';
import { secondsSinceStart } from '../seconds-since-start.js';
import type { Part } from '../part.js';
import { whenAborted } from '../when-aborted.js';

export interface GatewayInput {
  config: EnvConfig;
  role: KqlgateRole;
  /** Re-analyze kql/ on change (`npm start -- --watch`). */
  watchKql: boolean;
  /** The ingestion started before, adopted for readiness and cache invalidation. */
  pipeline?: IngestionPipeline;
  /** The Kusto.Language host's catalog port; without it kql/ is analyzed in this thread. */
  catalogPort?: MessagePort;
  /** With the embedded engine: called once kql/ is deployed to it (the ingestion waits for it). */
  onKqlDeployed?: () => void;
}

export interface GatewayFacts {
  app: NestFastifyApplication;
  url: string;
}

/** The catalog analyzer of the API: the stored analysis of kql/, else the Kusto.Language host or this thread. */
async function catalogAnalyzer(
  config: EnvConfig,
  catalogPort: MessagePort | undefined,
): Promise<{ analyzer: CatalogAnalyzer; first: Promise<Catalog>; close(): Promise<void> }> {
  const [
    { StoredCatalogAnalyzer, storedAnalysisDir },
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
    storedAnalysisDir(config.DATA_DIR),
    remote ?? inThreadCatalogAnalyzer,
    logger,
  );
  // The catalog service's first build is version 1; it runs while the gateway's modules load.
  const first = analyzer.prefetch(await new KqlDirectorySource(resolve(config.KQL_DIR)).read(), 1);
  return { analyzer, first, close: () => remote?.close() ?? Promise.resolve() };
}

/**
 * The catalog deploy (KqlDeployer, as on every catalog swap) of the first catalog, as soon as it is analyzed: the
 * ingestion waits for the tables, and the gateway's modules take seconds to load. The catalog service's own first
 * swap then skips its plan if its catalog has the commands deployed here (resolved; undefined after a failure),
 * and otherwise plans again and reports any problem at file:line:col; here a failure is only logged.
 */
async function deployFirstCatalog(
  config: EnvConfig,
  first: Promise<Catalog>,
  signal: AbortSignal,
): Promise<readonly CatalogCommand[] | undefined> {
  const [{ KqlDeployer }, { KustoQueryClient }] = await Promise.all([
    import('../../modules/catalog/kql-deployer.js'),
    import('../../modules/query/kusto-query.client.js'),
  ]);
  const kusto = new KustoQueryClient(config.kustoClusterUrl, config.KUSTO_DATABASE, config.kustoAuth);
  const logger = createLogger('catalog-deploy');
  try {
    const deployer = new KqlDeployer(kusto);
    const catalog = await first;
    const applied = await deployer.apply(await deployer.plan(catalog));
    logger.info(
      { applied: applied.length, sinceStartS: secondsSinceStart() },
      'kql/ deployed to the embedded engine',
    );
    return catalog.deployOrder;
  } catch (error) {
    // Abandoned by a shutdown during start-up: nothing to report.
    if (!signal.aborted) {
      logger.warn(
        { err: error },
        'could not deploy kql/ ahead of the gateway; its catalog deploy reports why',
      );
    }
    return undefined;
  } finally {
    kusto.close();
  }
}

export const part: Part<GatewayInput, GatewayFacts> = {
  async start(input, { signal }) {
    const { config } = input;
    const catalog = input.role === 'ingestion' ? undefined : await catalogAnalyzer(config, input.catalogPort);
    const deployed =
      catalog && input.onKqlDeployed
        ? deployFirstCatalog(config, catalog.first, signal).finally(input.onKqlDeployed)
        : undefined;
    let app: NestFastifyApplication | undefined;
    const close = async (): Promise<void> => {
      await app?.close();
      await catalog?.close();
    };
    // A shutdown during start-up: the analysis of kql/ in progress is abandoned (its builds reject), so the
    // deploy and the application's first catalog load end at once instead of waiting for Kusto.Language.
    const abandonAnalysis = (): void => void catalog?.close();
    signal.addEventListener('abort', abandonAnalysis, { once: true });
    try {
      signal.throwIfAborted();
      app = await createApp(config, {
        role: input.role,
        watchKql: input.watchKql,
        ingestionPipeline: input.pipeline,
        catalogAnalyzer: catalog?.analyzer,
        deployedAtStart: deployed,
      });
      await Promise.race([deployed, whenAborted(signal)]);
      signal.throwIfAborted();
      await app.listen({ port: config.PORT, host: config.HOST });
    } catch (error) {
      await close();
      throw error;
    } finally {
      signal.removeEventListener('abort', abandonAnalysis);
    }
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    return { facts: { app, url: `http://${config.HOST}:${port}` }, close };
  },
};
