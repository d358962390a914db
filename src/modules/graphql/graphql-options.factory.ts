import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { GqlOptionsFactory } from '@nestjs/graphql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { EnvConfig } from '../../config/env.dto.js';
import { SHARED_REDIS } from '../redis/redis.module.js';
import { callsExtensionPlugin } from './calls-extension.plugin.js';
import { CatalogSchemaGateway } from './catalog-schema.gateway.js';
import { GraphqlContextFactory } from './graphql-context.factory.js';
import { introspectionPolicyOf } from './introspection-policy.js';
import { KnownOperationTypesRule } from './known-operation-types.rule.js';
import { DEFAULT_QUERY_LIMITS, queryLimitsFormatError, type QueryLimits } from './query-limits.js';
import { queryLimitsPlugin } from './query-limits.plugin.js';
import { queryLimitsRule, type DocumentMeasures } from './query-limits.rule.js';
import { responseHeadersPlugin } from './response-headers.plugin.js';
import { MemoryApqStore } from './memory-apq.store.js';
import { RedisApqStore } from './redis-apq.store.js';
import { TrustedDocumentCache, type PersistedQueryCache } from './trusted-document.cache.js';
import { TrustedDocumentRegistry } from './trusted-document.registry.js';
import { trustedDocumentsFormatError, trustedDocumentsRule } from './trusted-documents.rule.js';
import type { GraphqlContext } from './schema-builder.js';

/** Overrides of the GRAPHQL_MAX_* limits (tests bind it to exercise a limit without a large document). */
export const GRAPHQL_LIMITS = Symbol('kqlgate:GraphqlLimits');

/**
 * GraphQLModule's options: Apollo Server through @nestjs/apollo on the Fastify platform, serving the catalog's
 * schema through CatalogSchemaGateway (schema first, generated at run time; no resolver classes).
 */
@Injectable()
export class GraphqlOptionsFactory implements GqlOptionsFactory<ApolloDriverConfig> {
  /** GRAPHQL_MAX_* as configured; subscriptions over WebSocket are held to them too. */
  readonly limits: QueryLimits;

  constructor(
    private readonly gateway: CatalogSchemaGateway,
    private readonly contexts: GraphqlContextFactory,
    private readonly trusted: TrustedDocumentRegistry,
    @Optional() @Inject(GRAPHQL_LIMITS) limits?: Partial<QueryLimits>,
    @Optional() private readonly config?: EnvConfig,
    @Optional() @Inject(SHARED_REDIS) private readonly redis?: Redis | null,
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
  }

  createGqlOptions(): ApolloDriverConfig {
    const measures: DocumentMeasures = new WeakMap();
    const options: ApolloDriverConfig & Pick<ApolloServerOptionsWithGateway<GraphqlContext>, 'gateway'> = {
      path: '/graphql',
      // The driver hands every Apollo Server option to `new ApolloServer`, `gateway` included, though its config
      // type leaves `gateway` to the federation driver: that is how a schema that changes at run time is served.
      gateway: this.gateway,
      context: (request: FastifyRequest, reply: FastifyReply) => this.contexts.create(request, reply),
      // No IDE on the gateway (the driver would serve GraphiQL outside production); the driver then installs
      // Apollo's disabled landing page.
      graphiql: false,
      // Who may introspect is decided per caller by queryLimitsPlugin (GRAPHQL_INTROSPECTION).
      introspection: true,
      includeStacktraceInErrorResponses: false,
      // Field errors keep Apollo's status (200 with `data`), as the REST edge's callers compare against.
      preserveHttpStatusForExecutionErrors: false,
      // A document over the token limit is refused while it is parsed, before the rest of it is even lexed.
      parseOptions: { maxTokens: this.limits.maxTokens },
      // Apollo appends these to graphql-js's rules; queryLimitsRule still stops a refused document before the
      // others walk its selection sets (see query-limits.rule.ts).
      validationRules: [
        // Only with GRAPHQL_TRUSTED_DOCUMENTS_ONLY; first, so an untrusted document is refused before it is measured.
        ...(this.trusted.trustedOnly ? [trustedDocumentsRule(this.trusted)] : []),
        KnownOperationTypesRule,
        queryLimitsRule(this.limits, measures),
      ],
      formatError: trustedDocumentsFormatError(queryLimitsFormatError(this.limits)),
      // Hashes resolve to trusted documents first (GRAPHQL_TRUSTED_DOCUMENTS); automatic persisted queries register
      // new ones only while any document may be served.
      persistedQueries: {
        cache: new TrustedDocumentCache(this.trusted, this.apqStore()),
      },
      // Apollo's default indents every answer (JSON.stringify(value, null, 2)): more bytes to build and send for
      // machines that parse it anyway; in the cached-GraphQL benchmark's profile it was Apollo's costliest step.
      stringifyResult: (value) => JSON.stringify(value),
      // Apollo would otherwise install its own SIGINT/SIGTERM handlers that stop it and re-send the signal,
      // which the runtime's ShutdownCoordinator takes for a second Ctrl-C and exits 1; the coordinator stops
      // Apollo through app.close() instead.
      stopOnTerminationSignals: false,
      plugins: [
        // Apollo's cache-control plugin is installed implicitly and hooks every resolved field (60 hooks for a
        // 20-row, 3-column answer) to compute cache hints kqlgate never uses: results are cached by the gateway.
        ApolloServerPluginCacheControlDisabled(),
        // Nothing about callers' operations leaves the gateway, even when APOLLO_KEY is set in the environment.
        ApolloServerPluginUsageReportingDisabled(),
        ApolloServerPluginSchemaReportingDisabled(),
        ApolloServerPluginInlineTraceDisabled(),
        queryLimitsPlugin(this.limits, introspectionPolicyOf(this.config), measures),
        callsExtensionPlugin,
        responseHeadersPlugin,
      ],
    };
    return options;
  }

  /** Where automatic persisted queries are registered: nowhere when only trusted documents are served. */
  private apqStore(): PersistedQueryCache | undefined {
    if (this.trusted.trustedOnly) {
      return undefined;
    }
    return this.redis ? new RedisApqStore(this.redis) : new MemoryApqStore();
  }
}
