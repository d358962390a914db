import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import type { GraphqlContext } from './schema-builder.js';
import type { TrustedDocumentRegistry } from './trusted-document.registry.js';

type PersistedQueryOptions = Exclude<
  ApolloServerOptionsWithGateway<GraphqlContext>['persistedQueries'],
  false
>;
/** Apollo's KeyValueCache<string>, as its persisted-query option takes it. */
export type PersistedQueryCache = NonNullable<NonNullable<PersistedQueryOptions>['cache']>;

/** Apollo prefixes the keys of the persisted-query cache it is given (requestPipeline's APQ_CACHE_PREFIX). */
const APQ_KEY_PREFIX = 'apq:';

/**
 * The persisted-query cache Apollo looks a hash up in: the trusted documents first, so a client can send only the
 * hash of a registered document, then the automatic-persisted-query store (`apq`), which registers what clients
 * send. Without `apq` (GRAPHQL_TRUSTED_DOCUMENTS_ONLY) nothing new is ever registered: an unknown hash answers
 * PERSISTED_QUERY_NOT_FOUND and the re-sent text is refused as not trusted.
 */
export class TrustedDocumentCache implements PersistedQueryCache {
  constructor(
    private readonly registry: TrustedDocumentRegistry,
    private readonly apq: PersistedQueryCache | undefined,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const hash = key.startsWith(APQ_KEY_PREFIX) ? key.slice(APQ_KEY_PREFIX.length) : key;
    return this.registry.get(hash) ?? (await this.apq?.get(key));
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    await this.apq?.set(key, value, options);
  }

  async delete(key: string): Promise<boolean | void> {
    return this.apq?.delete(key);
  }
}
