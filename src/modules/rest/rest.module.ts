import { Module } from '@nestjs/common';
import { FunctionRoutes } from './function.routes.js';
import { OpenApiController } from './openapi.controller.js';

/**
 * REST endpoints per exposed function (plain Fastify routes, see FunctionRoutes), and the OpenAPI document.
 * Needs QueryModule and CatalogModule (global).
 */
@Module({ controllers: [OpenApiController], providers: [FunctionRoutes] })
export class RestModule {}
