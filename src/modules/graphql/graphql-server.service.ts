import { ApolloServer, HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '../../common/logging/logger.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { FunctionQueryService } from '../query/function-query.service.js';
import type { Principal } from '../query/query-hooks.js';
import { DEFAULT_QUERY_LIMITS, queryLimitsPlugin, type QueryLimits } from './query-limits.js';
import { buildGraphqlSchema, createCallLoader, type GraphqlContext } from './schema-builder.js';

export const GRAPHQL_LIMITS = Symbol('kqlgate:GraphqlLimits');

export interface GraphqlHttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  search: string;
  body: unknown;
}

/**
 * Apollo Server over the catalog's schema. Each catalog swap builds and starts a new server and then swaps it in
 * atomically: requests already running finish on the server they started on, new requests see the new schema.
 */
@Injectable()
export class GraphqlServerService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = createLogger('graphql');
  private active?: { catalog: Catalog; server: ApolloServer<GraphqlContext> };
  private building?: Promise<ApolloServer<GraphqlContext>>;
  private readonly limits: QueryLimits;
  private unsubscribe?: () => void;

  constructor(
    private readonly catalog: FunctionCatalogService,
    private readonly query: FunctionQueryService,
    @Optional() @Inject(GRAPHQL_LIMITS) limits?: Partial<QueryLimits>,
  ) {
    this.limits = { ...DEFAULT_QUERY_LIMITS, ...limits };
  }

  onModuleInit(): void {
    this.unsubscribe = this.catalog.onChange((catalog) => {
      this.serverFor(catalog).catch((error: unknown) =>
        this.logger.error({ err: error }, 'could not build the GraphQL schema of the new catalog'),
      );
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.active?.server.stop();
  }

  async execute(request: GraphqlHttpRequest, principal: Principal): Promise<HTTPGraphQLResponse> {
    const server = await this.serverFor(this.catalog.current());
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) {
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
    }
    return server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: request.method.toUpperCase(),
        headers,
        search: request.search,
        body: request.body,
      },
      context: () => {
        const calls: GraphqlContext['calls'] = [];
        return Promise.resolve({
          principal,
          calls,
          loader: createCallLoader((fn, args) => this.query.execute(principal, fn, args)),
        });
      },
    });
  }

  private async serverFor(catalog: Catalog): Promise<ApolloServer<GraphqlContext>> {
    if (this.active?.catalog === catalog) {
      return this.active.server;
    }
    if (this.building) {
      await this.building.catch(() => undefined);
      return this.serverFor(catalog);
    }
    this.building = this.start(catalog);
    try {
      const server = await this.building;
      const previous = this.active;
      this.active = { catalog, server };
      if (previous) {
        // In-flight requests hold their own reference; stop() lets them finish.
        previous.server.stop().catch(() => undefined);
      }
      return server;
    } finally {
      this.building = undefined;
    }
  }

  private async start(catalog: Catalog): Promise<ApolloServer<GraphqlContext>> {
    const server = new ApolloServer<GraphqlContext>({
      schema: buildGraphqlSchema(catalog),
      introspection: true,
      includeStacktraceInErrorResponses: false,
      // Apollo would otherwise install its own SIGINT/SIGTERM handlers that stop it and re-send the signal,
      // which the runtime's ShutdownCoordinator takes for a second Ctrl-C and exits 1; the coordinator stops
      // Apollo through app.close() instead.
      stopOnTerminationSignals: false,
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        queryLimitsPlugin(this.limits),
        {
          async requestDidStart() {
            return Promise.resolve({
              async willSendResponse({ response, contextValue }) {
                if (response.body.kind === 'single' && contextValue.calls.length > 0) {
                  response.body.singleResult.extensions = {
                    ...response.body.singleResult.extensions,
                    kqlgate: { calls: contextValue.calls },
                  };
                }
                return Promise.resolve();
              },
            });
          },
        },
      ],
    });
    await server.start();
    this.logger.info({ catalogVersion: catalog.version }, 'GraphQL schema built');
    return server;
  }
}
