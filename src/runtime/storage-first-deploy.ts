import { resolve } from 'node:path';
import type { Logger } from '../common/logging/logger.js';
import type { EnvConfig } from '../config/env.dto.js';
import { functionDeployOrder, storageDeployOrder } from '../modules/catalog/catalog-builder.js';
import type { CatalogCommand } from '../modules/catalog/catalog.types.js';
import { KqlDeployer, type DeployStep } from '../modules/catalog/kql-deployer.js';
import { KqlDirectorySource } from '../modules/catalog/kql-directory.source.js';
import { KustoQueryClient } from '../modules/query/kusto-query.client.js';
import { secondsSinceStart } from './seconds-since-start.js';

/**
 * With the embedded engine, creates what ingestion writes to (tables, mappings, update policies and their
 * functions) before the gateway starts, so events flow while the stored functions are still being analyzed.
 * The other stored functions are created here too, before the update policies: the engine needs no compiler for
 * them, so they go in while it still warms up, and the schema stays the same from the update policies' validation
 * on — a later function would change it, and every update policy would be compiled again by the first batches.
 *
 * It is an optimisation only: the catalog's own deploy (EmbeddedDeployment) applies the whole of kql/ anyway and
 * is the one that reports problems, so any failure here is logged and start-up goes on. A function the engine
 * rejects is skipped (the catalog reports it at file:line:col); the storage itself must succeed.
 */
export async function deployStorageFirst(
  config: EnvConfig,
  logger: Logger,
  /** True once a shutdown began: a failure then is the engine closing under the deploy, not worth a warning. */
  stopping: () => boolean = () => false,
): Promise<void> {
  const clusterUrl = config.kustoClusterUrl;
  if (!config.kustoEmbedded || !clusterUrl) {
    return;
  }
  const kusto = new KustoQueryClient(clusterUrl, config.KUSTO_DATABASE, config.kustoAuth);
  try {
    const files = await new KqlDirectorySource(resolve(config.KQL_DIR)).read();
    const storageOrder = storageDeployOrder(files);
    const functionOrder = functionDeployOrder(files);
    if (!storageOrder || !functionOrder) {
      logger.warn({}, 'kql/ has syntax errors: storage is created with the catalog, which reports them');
      return;
    }
    const isPolicy = (entry: CatalogCommand): boolean => entry.command.kind === 'update-policy';
    const storageFunctions = new Set(
      storageOrder.flatMap(({ command }) => (command.kind === 'function' ? [command.name] : [])),
    );
    const otherNames = new Set(
      functionOrder.flatMap(({ command }) =>
        command.kind === 'function' && !storageFunctions.has(command.name) ? [command.name] : [],
      ),
    );
    const otherFunctions = functionOrder.filter(
      ({ command }) => command.kind === 'function' && otherNames.has(command.name),
    );
    const deployer = new KqlDeployer(kusto);
    const steps = await deployer.plan({
      deployOrder: [
        ...storageOrder.filter((entry) => !isPolicy(entry)),
        ...otherFunctions,
        ...storageOrder.filter(isPolicy),
      ],
    });
    const isOtherFunction = (step: DeployStep): boolean =>
      step.kind === 'function' && otherNames.has(step.name);
    const firstPolicy = steps.findIndex((step) => step.kind === 'update-policy');
    const beforePolicies = firstPolicy < 0 ? steps : steps.slice(0, firstPolicy);
    let applied = (await deployer.apply(beforePolicies.filter((step) => !isOtherFunction(step)))).length;
    let functions = 0;
    for (const step of beforePolicies.filter(isOtherFunction)) {
      try {
        functions += (await deployer.apply([step])).length;
      } catch (error) {
        logger.debug({ err: error }, 'stored function left to the catalog deploy');
      }
    }
    applied += (await deployer.apply(firstPolicy < 0 ? [] : steps.slice(firstPolicy))).length;
    logger.info(
      { applied, functions, sinceStartS: secondsSinceStart() },
      `storage ready for ingestion (${applied} tables, mappings, update policies and their functions created or updated; ${functions} other stored functions)`,
    );
  } catch (error) {
    if (stopping()) {
      logger.info({ err: error }, 'storage deploy interrupted by the shutdown');
      return;
    }
    logger.warn(
      { err: error },
      'could not create storage ahead of the catalog; the catalog deploy retries it',
    );
  } finally {
    kusto.close();
  }
}
