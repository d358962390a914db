import { Module } from '@nestjs/common';
import { GraphqlController } from './graphql.controller.js';
import { GraphqlServerService } from './graphql-server.service.js';

/**
 * `POST /graphql`: Apollo Server over a schema built at run time from the catalog (see schema-builder.ts).
 * Needs QueryModule and CatalogModule (global).
 */
@Module({ controllers: [GraphqlController], providers: [GraphqlServerService] })
export class GraphqlModule {}
