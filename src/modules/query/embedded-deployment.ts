import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import type { CatalogCommand } from '../catalog/catalog.types.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { KqlDeployer, formatPlan } from '../catalog/kql-deployer.js';
import type { KustoQueryClient } from './kusto-query.client.js';
import { DEPLOYED_AT_START, KUSTO_QUERY_CLIENT } from './query.tokens.js';

/**
 * With the embedded engine (no KUSTO_CLUSTER_URL) the gateway owns the database, so it deploys kql/ itself:
 * at start and before every hot-reloaded catalog goes live — a new function is callable on the engine the
 * moment its field and endpoint appear. Against ADX, deployment stays an explicit `kqlgate deploy`.
 *
 * `npm start` deploys the first catalog itself, before the application's modules load (DEPLOYED_AT_START): the
 * first swap then skips its plan when its catalog has exactly those commands — the plan would read every object
 * of kql/ again (two rounds of `.show` commands) on the way to listening, only to find each one unchanged.
 */
@Injectable()
export class EmbeddedDeployment implements OnModuleInit {
  private readonly logger = createLogger('catalog-deploy');

  constructor(
    private readonly config: EnvConfig,
    private readonly catalog: FunctionCatalogService,
    @Inject(KUSTO_QUERY_CLIENT) private readonly kusto: KustoQueryClient,
    @Optional()
    @Inject(DEPLOYED_AT_START)
    private readonly deployedAtStart?: Promise<readonly CatalogCommand[] | undefined>,
  ) {}

  onModuleInit(): void {
    if (!this.config.kustoEmbedded) {
      return;
    }
    const deployer = new KqlDeployer(this.kusto);
    this.catalog.beforeSwap(async (next, previous) => {
      if (!previous && this.deployedAtStart && sameCommands(next.deployOrder, await this.deployedAtStart)) {
        return;
      }
      const steps = await deployer.plan(next);
      const applied = await deployer.apply(steps);
      if (applied.length > 0) {
        this.logger.info(
          { applied: applied.length },
          `deployed kql/ to the embedded engine\n${formatPlan(applied)}`,
        );
      }
    });
  }
}

function sameCommands(
  next: readonly CatalogCommand[],
  deployed: readonly CatalogCommand[] | undefined,
): boolean {
  return (
    deployed !== undefined &&
    isDeepStrictEqual(
      next.map((c) => c.command),
      deployed.map((c) => c.command),
    )
  );
}
