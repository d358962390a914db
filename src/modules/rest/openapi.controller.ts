import { Controller, Get, Header } from '@nestjs/common';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { buildOpenApi } from './openapi/openapi-builder.js';
import { DOCS_PAGE_CSP, renderDocsPage } from './openapi/docs-page.js';

/** The OpenAPI document and the docs page, rebuilt when the catalog changes (memoized per catalog version). */
@Controller()
export class OpenApiController {
  private cached?: { catalog: Catalog; openapi: string; docs: string };

  constructor(private readonly catalog: FunctionCatalogService) {}

  @Get('api/v1/openapi.json')
  @Header('content-type', 'application/json; charset=utf-8')
  openapi(): string {
    return this.documents().openapi;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DOCS_PAGE_CSP)
  docs(): string {
    return this.documents().docs;
  }

  private documents(): { openapi: string; docs: string } {
    const catalog = this.catalog.current();
    if (this.cached?.catalog !== catalog) {
      this.cached = {
        catalog,
        openapi: JSON.stringify(buildOpenApi(catalog), null, 2),
        docs: renderDocsPage(catalog),
      };
    }
    return this.cached;
  }
}
