import { Module } from '@nestjs/common';
import { ExplorerAssets } from './explorer-assets.js';
import { ExplorerController } from './explorer.controller.js';
import { GraphqlIdeRoutes } from './graphql-ide.routes.js';

/** The browser pages and their bundled assets: the function explorer (ExplorerController), the GraphQL IDE. */
@Module({ controllers: [ExplorerController], providers: [ExplorerAssets, GraphqlIdeRoutes] })
export class ExplorerModule {}
