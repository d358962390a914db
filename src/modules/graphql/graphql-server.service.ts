import { ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { Inject, Injectable, Optional, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { Catalog, CatalogFunction } from '../catalog/catalog.types.js';
import { FunctionQueryService } from '../query/function-query.service.js';
import type { Principal } from '../auth/principal.js';
import { RateLimitError, type RateLimitState } from '../rate-limit/rate-limit-error.js';
import { apolloHeaders } from './apollo-request-headers.js';
import { callsExtensionPlugin } from './calls-extension.plugin.js';
import {
  accessProfileKey,
  callableFunctions,
  type FunctionVisibility,
} from '../query/function-visibility.js';
import { introspectionPolicyOf, type IntrospectionPolicy } from './introspection-policy.js';
import { KnownOperationTypesRule } from './known-operation-types.rule.js';
import { DEFAULT_QUERY_LIMITS, queryLimitsFormatError, type QueryLimits } from './query-limits.js';
import { queryLimitsPlugin } from './query-limits.plugin.js';
import { queryLimitsRule, type DocumentMeasures } from './query-limits.rule.js';
import { buildGraphqlSchema, createCallLoader, type GraphqlContext } from './schema-builder.js';

export const GRAPHQL_LIMITS = Symbol('kqlgate:GraphqlLimits');

export interface GraphqlHttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  search: string;
  body: unknown;
}

/** Apollo's answer, and the rate-limit budget the request's function calls left (for `RateLimit-*`). */
export interface GraphqlAnswer {
  readonly response: HTTPGraphQLResponse;
  readonly rateLimit?: RateLimitState;
}

/** Bounds of the per-caller schemas (FUNCTION_VISIBILITY=callable), per catalog version. */
const MAX_NARROWED_SERVERS = 16;
const MAX_ACCESS_PROFILES = 512;

/** One catalog version's Apollo servers: the full schema, and with `callable` visibility one per caller view. */
interface CatalogServers {
  readonly catalog: Catalog;
  readonly full: ApolloServer<GraphqlContext>;
  readonly exposedCount: number;
  /** Callable-function set (`A,B`) → its server, started on first use. */
  readonly narrowed: LRUCache<string, Promise<ApolloServer<GraphqlContext>>>;
  /** Access profile (anonymous / roles / scopes) → the functions it may call. */
  readonly views: LRUCache<string, CallerView>;
}

interface CallerView {
  readonly key: string;
  readonly functions: CatalogFunction[];
}

/**
 * Apollo Server over the catalog's schema. Each catalog swap builds and starts a new server and then swaps it in
 * atomically: requests already running finish on the server they started on, new requests see the new schema.
 *
 * With `FUNCTION_VISIBILITY=callable` a caller is served by a server whose schema holds only the functions
 * that caller may call. Callers with the same roles/scopes share one view, and views with the same functions
 * share one server; both maps are LRU-bounded per catalog version, so distinct role sets cannot grow memory
 * without bound. An evicted narrowed server is simply dropped, not stopped: it owns no HTTP listener, signal
 * handler or timer (see start()), and a request that already holds it must still be able to finish on it.
 */
@Injectable()
export class GraphqlServerService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = createLogger('graphql');
  private active?: CatalogServers;
  private building?: Promise<CatalogServers>;
  private readonly limits: QueryLimits;
  private readonly introspection: IntrospectionPolicy;
  private readonly visibility: FunctionVisibility;
  private unsubscribe?: () => void;

  constructor(
    private readonly catalog: FunctionCatalogService,
    private readonly query: FunctionQueryService,
    @Optional() @Inject(GRAPHQL_LIMITS) limits?: Partial<QueryLimits>,
    @Optional() config?: EnvConfig,
  ) {
    this.limits = {
      ...DEFAULT_QUERY_LIMITS,
      ...(config && {
        maxTokens: config.GRAPHQL_MAX_TOKENS,
        maxFields: config.GRAPHQL_MAX_FIELDS,
        maxAliases: config.GRAPHQL_MAX_ALIASES,
        maxResponseBytes: config.GRAPHQL_MAX_RESPONSE_BYTES,
      }),
      ...limits,
    };
    this.introspection = introspectionPolicyOf(config);
    this.visibility = config?.functionVisibility ?? 'all';
  }

  onModuleInit(): void {
    this.unsubscribe = this.catalog.onChange((catalog) => {
      this.serversFor(catalog).catch((error: unknown) =>
        this.logger.error({ err: error }, 'could not build the GraphQL schema of the new catalog'),
      );
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe?.();
    await this.active?.full.stop();
  }

  /**
   * `signal` aborts when the client goes away: the engine queries its fields started are cancelled then. The
   * rate-limit state reported is the tightest budget of the fields' calls, or the budget that refused one.
   */
  async execute(
    request: GraphqlHttpRequest,
    principal: Principal,
    options: { requestId?: string; signal?: AbortSignal } = {},
  ): Promise<GraphqlAnswer> {
    const servers = await this.serversFor(this.catalog.current());
    const server = this.visibility === 'callable' ? await this.serverOf(servers, principal) : servers.full;
    let rateLimit: RateLimitState | undefined;
    let refusedBy: RateLimitState | undefined;
    const call = async (fn: string, args: Record<string, unknown>) => {
      try {
        const result = await this.query.execute(principal, fn, args, options);
        if (result.rateLimit && (!rateLimit || result.rateLimit.remaining <= rateLimit.remaining)) {
          rateLimit = result.rateLimit;
        }
        return result;
      } catch (error) {
        if (error instanceof RateLimitError && error.state) {
          refusedBy = error.state;
        }
        throw error;
      }
    };
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: request.method.toUpperCase(),
        headers: apolloHeaders(request.headers),
        search: request.search,
        body: request.body,
      },
      context: () => {
        const calls: GraphqlContext['calls'] = [];
        return Promise.resolve({
          principal,
          calls,
          loader: createCallLoader(call),
        });
      },
    });
    return { response, rateLimit: refusedBy ?? rateLimit };
  }

  /** The server whose schema holds exactly the functions `principal` may call. */
  private serverOf(servers: CatalogServers, principal: Principal): Promise<ApolloServer<GraphqlContext>> {
    const profile = accessProfileKey(principal);
    let view = servers.views.get(profile);
    if (!view) {
      const functions = callableFunctions(servers.catalog.functions, principal);
      view = { key: functions.map((fn) => fn.name).join(','), functions };
      servers.views.set(profile, view);
    }
    if (view.functions.length === servers.exposedCount) {
      return Promise.resolve(servers.full);
    }
    let server = servers.narrowed.get(view.key);
    if (!server) {
      const key = view.key;
      server = this.start(servers.catalog, view.functions);
      servers.narrowed.set(key, server);
      // A failed start is not remembered: the next request retries.
      server.catch(() => servers.narrowed.delete(key));
    }
    return server;
  }

  private async serversFor(catalog: Catalog): Promise<CatalogServers> {
    if (this.active?.catalog === catalog) {
      return this.active;
    }
    if (this.building) {
      await this.building.catch(() => undefined);
      return this.serversFor(catalog);
    }
    this.building = this.startAll(catalog);
    try {
      const servers = await this.building;
      const previous = this.active;
      this.active = servers;
      if (previous) {
        // In-flight requests hold their own reference; stop() lets them finish.
        previous.full.stop().catch(() => undefined);
      }
      return servers;
    } finally {
      this.building = undefined;
    }
  }

  private async startAll(catalog: Catalog): Promise<CatalogServers> {
    return {
      catalog,
      full: await this.start(catalog),
      exposedCount: catalog.functions.filter((fn) => fn.exposure).length,
      narrowed: new LRUCache({ max: MAX_NARROWED_SERVERS }),
      views: new LRUCache({ max: MAX_ACCESS_PROFILES }),
    };
  }

  /** A started Apollo server over the catalog's schema, or over `only` some of its functions. */
  private async start(
    catalog: Catalog,
    only?: readonly CatalogFunction[],
  ): Promise<ApolloServer<GraphqlContext>> {
    const measures: DocumentMeasures = new WeakMap();
    const server = new ApolloServer<GraphqlContext>({
      schema: buildGraphqlSchema(catalog, only),
      // Who may introspect is decided per caller by queryLimitsPlugin (GRAPHQL_INTROSPECTION).
      introspection: true,
      includeStacktraceInErrorResponses: false,
      // A document over the token limit is refused while it is parsed, before the rest of it is even lexed.
      parseOptions: { maxTokens: this.limits.maxTokens },
      // Apollo appends these to graphql-js's rules; queryLimitsRule still stops a refused document before the
      // others walk its selection sets (see query-limits.rule.ts).
      validationRules: [KnownOperationTypesRule, queryLimitsRule(this.limits, measures)],
      formatError: queryLimitsFormatError(this.limits),
      // Apollo would otherwise install its own SIGINT/SIGTERM handlers that stop it and re-send the signal,
      // which the runtime's ShutdownCoordinator takes for a second Ctrl-C and exits 1; the coordinator stops
      // Apollo through app.close() instead.
      stopOnTerminationSignals: false,
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        // Apollo's cache-control plugin is installed implicitly and hooks every resolved field (60 hooks for a
        // 20-row, 3-column answer) to compute cache hints kqlgate never uses: results are cached by the gateway.
        ApolloServerPluginCacheControlDisabled(),
        // Nothing about callers' operations leaves the gateway, even when APOLLO_KEY is set in the environment.
        ApolloServerPluginUsageReportingDisabled(),
        ApolloServerPluginSchemaReportingDisabled(),
        ApolloServerPluginInlineTraceDisabled(),
        queryLimitsPlugin(this.limits, this.introspection, measures),
        callsExtensionPlugin,
      ],
    });
    await server.start();
    if (only) {
      this.logger.debug(
        { catalogVersion: catalog.version, functions: only.length },
        'GraphQL schema of a caller view built',
      );
    } else {
      this.logger.info({ catalogVersion: catalog.version }, 'GraphQL schema built');
    }
    return server;
  }
}
