import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { KqlDeployer, formatPlan } from '../catalog/kql-deployer.js';
import type { KustoQueryClient } from './kusto-query.client.js';
import { KUSTO_QUERY_CLIENT } from './query.tokens.js';

/**
 * With the embedded engine (no KUSTO_CLUSTER_URL) the gateway owns the database, so it deploys kql/ itself:
 * at start and before every hot-reloaded catalog goes live — a new function is callable on the engine the
 * moment its field and endpoint appear. Against ADX, deployment stays an explicit `kqlgate deploy`.
 */
@Injectable()
export class EmbeddedDeployment implements OnModuleInit {
  private readonly logger = createLogger('catalog-deploy');

  constructor(
    private readonly config: EnvConfig,
    private readonly catalog: FunctionCatalogService,
    @Inject(KUSTO_QUERY_CLIENT) private readonly kusto: KustoQueryClient,
  ) {}

  onModuleInit(): void {
    if (!this.config.kustoEmbedded) {
      return;
    }
    const deployer = new KqlDeployer(this.kusto);
    this.catalog.beforeSwap(async (next) => {
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
