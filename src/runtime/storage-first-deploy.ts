import { resolve } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { functionDeployOrder, storageDeployOrder } from '../modules/catalog/catalog-builder.js';
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

/**
 * With the embedded engine, creates the other stored functions right after ingestion starts, while the engine has
 * little else to do (it compiles each body, tens of milliseconds once warm). Left to the catalog's deploy, the same
 * commands would queue behind a busy ingestion for seconds and hold up the gateway. One by one: a function the
 * engine rejects is skipped here and reported by the catalog (at file:line:col).
 */
export async function deployFunctionsAhead(config: EnvConfig, logger: Logger): Promise<void> {
  const clusterUrl = config.kustoClusterUrl;
  if (!config.kustoEmbedded || !clusterUrl) {
    return;
  }
  const kusto = new KustoQueryClient(clusterUrl, config.KUSTO_DATABASE);
  try {
    const files = await new KqlDirectorySource(resolve(config.KQL_DIR)).read();
    const deployOrder = functionDeployOrder(files);
    if (!deployOrder) {
      return;
    }
    const deployer = new KqlDeployer(kusto);
    let applied = 0;
    for (const step of await deployer.plan({ deployOrder })) {
      try {
        applied += (await deployer.apply([step])).length;
      } catch (error) {
        logger.debug({ err: error }, 'stored function left to the catalog deploy');
      }
    }
    logger.info(
      { applied, sinceStartS: secondsSinceStart() },
      `stored functions created ahead of the catalog`,
    );
  } catch (error) {
    logger.warn(
      { err: error },
      'could not create the stored functions ahead of the catalog; its deploy will',
    );
  } finally {
    kusto.close();
  }
}
