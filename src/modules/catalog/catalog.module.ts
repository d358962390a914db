import { Module, type DynamicModule } from '@nestjs/common';
import { CATALOG_OPTIONS, FunctionCatalogService, type CatalogOptions } from './function-catalog.service.js';

/** The function catalog of kql/ (one instance per app). */
@Module({})
export class CatalogModule {
  static forRoot(options: CatalogOptions = {}): DynamicModule {
    return {
      module: CatalogModule,
      global: true,
      providers: [{ provide: CATALOG_OPTIONS, useValue: options }, FunctionCatalogService],
      exports: [FunctionCatalogService],
    };
  }
}
