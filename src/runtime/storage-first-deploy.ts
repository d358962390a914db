import { resolve } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { storageDeployOrder } from '../modules/catalog/catalog-builder.js';
import { KqlDeployer } from '../modules/catalog/kql-deployer.js';
import { KqlDirectorySource } from '../modules/catalog/kql-directory.source.js';
import { KustoQueryClient } from '../modules/query/kusto-query.client.js';
import { secondsSinceStart } from './seconds-since-start.js';

/**
 * With the embedded engine, creates what ingestion writes to (tables, mappings, update policies and their
 * functions) before the gateway starts, so events flow while the stored functions are still being analyzed.
 * It is an optimisation only: the catalog's own deploy (EmbeddedDeployment) applies the whole of kql/ anyway and
 * is the one that reports problems, so any failure here is logged and start-up goes on.
 */
export async function deployStorageFirst(config: EnvConfig, logger: Logger): Promise<void> {
  const clusterUrl = config.kustoClusterUrl;
  if (!config.kustoEmbedded || !clusterUrl) {
    return;
  }
  const kusto = new KustoQueryClient(clusterUrl, config.KUSTO_DATABASE);
  try {
    const files = await new KqlDirectorySource(resolve(config.KQL_DIR)).read();
    const deployOrder = storageDeployOrder(files);
    if (!deployOrder) {
      logger.warn({}, 'kql/ has syntax errors: storage is created with the catalog, which reports them');
      return;
    }
    const deployer = new KqlDeployer(kusto);
    const applied = await deployer.apply(await deployer.plan({ deployOrder }));
    logger.info(
      { applied: applied.length, sinceStartS: secondsSinceStart() },
      `storage ready for ingestion (${applied.length} tables, mappings, update policies and their functions created or updated)`,
    );
  } catch (error) {
    logger.warn(
      { err: error },
      'could not create storage ahead of the catalog; the catalog deploy retries it',
    );
  } finally {
    kusto.close();
  }
}
