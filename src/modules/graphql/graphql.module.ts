import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { CatalogSchemaGateway } from './catalog-schema.gateway.js';
import { GraphqlContextFactory } from './graphql-context.factory.js';
import { GraphqlOptionsFactory } from './graphql-options.factory.js';
import { TrustedDocumentRegistry } from './trusted-document.registry.js';

/** What GraphQLModule's options are made of; a module of its own so that GraphQLModule can import it. */
@Module({
  providers: [CatalogSchemaGateway, GraphqlContextFactory, GraphqlOptionsFactory, TrustedDocumentRegistry],
  exports: [GraphqlOptionsFactory, CatalogSchemaGateway, TrustedDocumentRegistry],
})
class GraphqlOptionsModule {}

/**
 * `POST /graphql` (and `GET /graphql?query=…`): GraphQLModule with the Apollo driver on Fastify, serving a schema
 * built at run time from the catalog (schema-builder.ts) and swapped atomically on reload
 * (catalog-schema.gateway.ts). Needs QueryModule and CatalogModule (global).
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [GraphqlOptionsModule],
      useExisting: GraphqlOptionsFactory,
    }),
    GraphqlOptionsModule,
  ],
  // For the WebSocket transport of subscriptions (live/graphql-subscriptions.module.ts).
  exports: [GraphqlOptionsModule],
})
export class GraphqlModule {}
