import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { EnvConfig } from '../../config/env.dto.js';
import { EmbeddedDeployment } from './embedded-deployment.js';
import { FunctionQueryService } from './function-query.service.js';
import { KustoQueryClient } from './kusto-query.client.js';
import type { CatalogCommand } from '../catalog/catalog.types.js';
import { DEPLOYED_AT_START, KUSTO_QUERY_CLIENT } from './query.tokens.js';

export interface QueryModuleOptions {
  /** Modules whose providers the hook bindings below use (auth, cache, rate-limit). */
  imports?: ModuleMetadata['imports'];
  /**
   * Bindings of the hook tokens of query-hooks.ts, e.g.
   * `{ provide: AUTHORIZATION_POLICY, useExisting: FunctionAuthorizationPolicy }`. Not needed when a global
   * module (auth, rate-limit, cache) exports the tokens; a token bound nowhere keeps its permissive default.
   */
  hooks?: Provider[];
  /** Replaces the engine client (tests). */
  kustoClient?: KustoQueryClient;
  /** What npm start deployed to the embedded engine before the app started (DEPLOYED_AT_START). */
  deployedAtStart?: Promise<readonly CatalogCommand[] | undefined>;
}

/**
 * The single query path and its hooks. Needs CatalogModule (global) and ConfigModule. Used by the GraphQL and
 * REST modules, which import it.
 */
@Module({})
export class QueryModule {
  static forRoot(options: QueryModuleOptions = {}): DynamicModule {
    const hooks = options.hooks ?? [];
    const client: Provider = options.kustoClient
      ? { provide: KUSTO_QUERY_CLIENT, useValue: options.kustoClient }
      : {
          provide: KUSTO_QUERY_CLIENT,
          inject: [EnvConfig],
          useFactory: (config: EnvConfig) =>
            new KustoQueryClient(config.kustoClusterUrl, config.KUSTO_DATABASE, config.kustoAuth),
        };
    return {
      module: QueryModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        ...hooks,
        client,
        ...(options.deployedAtStart
          ? [{ provide: DEPLOYED_AT_START, useValue: options.deployedAtStart }]
          : []),
        FunctionQueryService,
        EmbeddedDeployment,
      ],
      exports: [...hooks, KUSTO_QUERY_CLIENT, FunctionQueryService],
    };
  }
}
