import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../config/env.dto.js';
import { storageDeployOrder } from '../catalog/catalog-builder.js';
import type { Catalog, CatalogCommand } from '../catalog/catalog.types.js';
import type { CatalogSwapHook, FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { EmbeddedDeployment } from './embedded-deployment.js';
import type { KustoQueryClient } from './kusto-query.client.js';

function deployOrder(text: string): CatalogCommand[] {
  const order = storageDeployOrder([{ path: 'tables/orders.kql', text }]);
  if (!order) {
    throw new Error(`not a valid kql/tables file: ${text}`);
  }
  return order;
}

function catalogOf(order: readonly CatalogCommand[]): Catalog {
  return {
    version: 1,
    loadedAt: new Date(0),
    tables: [],
    functions: [],
    deployOrder: order,
    diagnostics: [],
  };
}

/** The swap hook EmbeddedDeployment registers, and every command it sends to the engine. */
function deployment(deployedAtStart?: Promise<readonly CatalogCommand[] | undefined>): {
  hook: CatalogSwapHook;
  sent: string[];
} {
  const sent: string[] = [];
  let hook: CatalogSwapHook | undefined;
  const catalog = { beforeSwap: (registered: CatalogSwapHook) => (hook = registered) };
  const kusto = {
    command: (csl: string) => {
      sent.push(csl);
      return Promise.resolve({ columns: [{ name: 'TableName' }], rows: [] });
    },
  };
  new EmbeddedDeployment(
    new EnvConfig(),
    catalog as unknown as FunctionCatalogService,
    kusto as unknown as KustoQueryClient,
    deployedAtStart,
  ).onModuleInit();
  if (!hook) {
    throw new Error('EmbeddedDeployment registered no swap hook for the embedded engine');
  }
  return { hook, sent };
}

const ORDERS = '.create-merge table Orders (OrderId: string, Amount: real)';

describe(EmbeddedDeployment.name, () => {
  describe('onModuleInit', () => {
    it('should not plan the first catalog again when npm start deployed exactly its commands', async () => {
      const { hook, sent } = deployment(Promise.resolve(deployOrder(ORDERS)));

      await hook(catalogOf(deployOrder(ORDERS)), undefined);

      expect(sent).toEqual([]);
    });

    it('should plan the first catalog when its commands differ from those deployed at start', async () => {
      const { hook, sent } = deployment(Promise.resolve(deployOrder(ORDERS)));

      await hook(
        catalogOf(deployOrder('.create-merge table Orders (OrderId: string, Amount: real, Tax: real)')),
        undefined,
      );

      expect(sent).toContain('.show tables');
    });

    it('should plan the first catalog when the deploy at start failed', async () => {
      const { hook, sent } = deployment(Promise.resolve(undefined));

      await hook(catalogOf(deployOrder(ORDERS)), undefined);

      expect(sent).toContain('.show tables');
    });

    it('should plan every later catalog, even with the commands deployed at start', async () => {
      const { hook, sent } = deployment(Promise.resolve(deployOrder(ORDERS)));

      await hook(catalogOf(deployOrder(ORDERS)), catalogOf(deployOrder(ORDERS)));

      expect(sent).toContain('.show tables');
    });
  });
});
