import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { Injectable, Optional } from '@nestjs/common';
import type { GraphQLSchema } from 'graphql';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { Catalog } from '../catalog/catalog.types.js';
import type { FunctionVisibility } from '../query/function-visibility.js';
import { CatalogSchemas } from './catalog-schemas.js';
import { graphqlJs } from './graphql-runtime.js';
import { catalogPendingSchema, type GraphqlContext } from './schema-builder.js';
import { TrustedDocumentRegistry } from './trusted-document.registry.js';

const { execute } = graphqlJs;

type GatewayInterface = ApolloServerOptionsWithGateway<GraphqlContext>['gateway'];
type SchemaListener = Parameters<GatewayInterface['onSchemaLoadOrUpdate']>[0];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;
type GatewayRequest = Parameters<GatewayExecutor>[0];

/**
 * The catalog as Apollo Server's gateway: Apollo's own way to serve a schema that changes while it runs. Each
 * catalog swap (`--watch`, `deploy`) builds the new schema first and only then hands it to Apollo, which swaps it
 * in atomically: a request runs to its end on the schema (and document cache) it started with, new requests see
 * the new one. A catalog whose schema cannot be built is logged and skipped, so the last good schema keeps
 * serving.
 *
 * The executor runs each operation with graphql-js as Apollo would, on the schema the request started with — or,
 * with `FUNCTION_VISIBILITY=callable`, on the caller's narrowed schema of that same catalog version (see
 * CatalogSchemas), after validating the document against it.
 */
@Injectable()
export class CatalogSchemaGateway implements GatewayInterface {
  private readonly logger = createLogger('graphql');
  private readonly visibility: FunctionVisibility;
  private readonly listeners = new Set<SchemaListener>();
  /** Full schema → its catalog version's schemas; entries go with the schemas no request holds any more. */
  private readonly versions = new WeakMap<GraphQLSchema, CatalogSchemas>();
  private unsubscribe?: () => void;
  private latest?: CatalogSchemas;

  constructor(
    private readonly catalog: FunctionCatalogService,
    @Optional() config?: EnvConfig,
    @Optional() private readonly trusted?: TrustedDocumentRegistry,
  ) {
    this.visibility = config?.functionVisibility ?? 'all';
  }

  /** The schemas Apollo serves now: subscriptions (graphql-subscriptions.server.ts) start on them too. */
  get current(): CatalogSchemas | undefined {
    return this.latest;
  }

  onSchemaLoadOrUpdate(listener: SchemaListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Apollo subscribes (onSchemaLoadOrUpdate) before it loads, so the first schema reaches it from here. Apollo
   * starts during module init, usually before the catalog's first load: it starts on a placeholder then, which
   * the first catalog replaces before the server listens.
   */
  load(): Promise<{ executor: GatewayExecutor }> {
    const loaded = this.catalog.loaded();
    if (loaded) {
      this.publish(new CatalogSchemas(loaded));
    } else {
      for (const listener of this.listeners) {
        listener({ apiSchema: catalogPendingSchema(), coreSupergraphSdl: '' });
      }
    }
    this.unsubscribe ??= this.catalog.onChange((catalog) => this.swap(catalog));
    return Promise.resolve({ executor: (request) => this.execute(request) });
  }

  stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.listeners.clear();
    return Promise.resolve();
  }

  private swap(catalog: Catalog): void {
    let schemas: CatalogSchemas;
    try {
      schemas = new CatalogSchemas(catalog);
    } catch (error) {
      this.logger.error(
        { err: error, catalogVersion: catalog.version },
        'could not build the GraphQL schema of the new catalog; the previous schema keeps serving',
      );
      return;
    }
    this.publish(schemas);
  }

  private publish(schemas: CatalogSchemas): void {
    this.versions.set(schemas.full, schemas);
    this.latest = schemas;
    // Before Apollo sees the schema: no request runs on it with a trusted document it no longer validates.
    this.trusted?.load(schemas.full);
    // Not a federated supergraph: Apollo reads the SDL only for schema reporting, which kqlgate turns off.
    for (const listener of this.listeners) {
      listener({ apiSchema: schemas.full, coreSupergraphSdl: '' });
    }
    this.logger.info({ catalogVersion: schemas.catalog.version }, 'GraphQL schema built');
  }

  private execute(request: GatewayRequest): ReturnType<GatewayExecutor> {
    const context = request.context as GraphqlContext;
    let schema = request.schema;
    const schemas = this.versions.get(schema);
    if (this.visibility === 'callable' && schemas) {
      schema = schemas.schemaOf(context.principal);
      if (schema !== schemas.full) {
        const errors = schemas.validate(schema, request.document);
        if (errors.length > 0) {
          return Promise.resolve({ errors });
        }
      }
    }
    return Promise.resolve(
      execute({
        schema,
        document: request.document,
        contextValue: context,
        variableValues: request.request.variables,
        // The name the client asked for, not the one Apollo resolved: Apollo leaves an unknown name for execute
        // to refuse (OPERATION_RESOLUTION_FAILURE), as it does without a gateway.
        operationName: request.request.operationName,
      }),
    );
  }
}
