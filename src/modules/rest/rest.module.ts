import { Module } from '@nestjs/common';
import { FunctionController } from './function.controller.js';
import { OpenApiController } from './openapi.controller.js';

/** REST endpoints per exposed function, the OpenAPI document and /docs. Needs QueryModule and CatalogModule (global). */
@Module({ controllers: [FunctionController, OpenApiController] })
export class RestModule {}
