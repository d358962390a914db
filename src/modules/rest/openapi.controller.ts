import { Controller, Get, Inject, Optional, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { callableFunctions, type FunctionVisibility } from '../query/function-visibility.js';
import {
  AnonymousRequestAuthenticator,
  REQUEST_AUTHENTICATOR,
  type RequestAuthenticator,
} from '../query/query-hooks.js';
import { buildOpenApi } from './openapi/openapi-builder.js';
import { DOCS_PAGE_CSP, renderDocsPage } from './openapi/docs-page.js';
import { sendProblem } from './problem-reply.js';

interface Documents {
  readonly openapi: string;
  readonly docs: string;
}

/** Distinct views (sets of visible functions) kept per catalog version; a miss only costs a rebuild. */
const MAX_VIEWS = 32;

/**
 * The OpenAPI document and the docs page. With `FUNCTION_VISIBILITY=all` one pair for everybody, memoized per
 * catalog version. With `callable` each caller gets the pair of the functions it may call (credentials as on any
 * call; a failing credential is a 401), memoized per set of visible functions and answered `private` with
 * `Vary: Authorization, X-API-Key`, so no shared cache hands one caller's view to another.
 */
@Controller()
export class OpenApiController {
  private readonly logger = createLogger('rest');
  private readonly authenticator: RequestAuthenticator;
  private readonly visibility: FunctionVisibility;
  private catalogOfViews?: Catalog;
  private readonly views = new LRUCache<string, Documents>({ max: MAX_VIEWS });

  constructor(
    private readonly catalog: FunctionCatalogService,
    @Optional() @Inject(REQUEST_AUTHENTICATOR) authenticator?: RequestAuthenticator,
    @Optional() config?: EnvConfig,
  ) {
    this.authenticator = authenticator ?? new AnonymousRequestAuthenticator();
    this.visibility = config?.functionVisibility ?? 'all';
  }

  @Get('api/v1/openapi.json')
  async openapi(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.answer(request, reply, 'openapi', 'application/json; charset=utf-8');
  }

  @Get('docs')
  async docs(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    return this.answer(request, reply, 'docs', 'text/html; charset=utf-8');
  }

  private async answer(
    request: FastifyRequest,
    reply: FastifyReply,
    which: keyof Documents,
    contentType: string,
  ): Promise<FastifyReply> {
    let documents: Documents;
    try {
      documents = await this.documentsFor(request);
    } catch (error) {
      return sendProblem(reply, request, error, this.logger);
    }
    if (this.visibility === 'callable') {
      // Added to, not replacing, the `Vary: Origin` of CORS.
      const vary = reply.getHeader('vary');
      reply
        .header('cache-control', 'private, no-cache')
        .header('vary', vary ? `${String(vary)}, Authorization, X-API-Key` : 'Authorization, X-API-Key');
    }
    if (which === 'docs') {
      // The page's inline script and style, allowed by hash (see docs-page.ts).
      reply.header('content-security-policy', DOCS_PAGE_CSP);
    }
    return reply.status(200).header('content-type', contentType).send(documents[which]);
  }

  private async documentsFor(request: FastifyRequest): Promise<Documents> {
    const catalog = this.catalog.current();
    if (this.catalogOfViews !== catalog) {
      this.catalogOfViews = catalog;
      this.views.clear();
    }
    if (this.visibility === 'all') {
      return this.view('*', () => ({
        openapi: JSON.stringify(buildOpenApi(catalog), null, 2),
        docs: renderDocsPage(catalog),
      }));
    }
    const principal = await this.authenticator.authenticate(request.headers, request.ip, String(request.id));
    const functions = callableFunctions(catalog.functions, principal);
    const note = principal.anonymous
      ? '— those callable without credentials; send yours to see the functions you may call'
      : '— those you may call';
    // The docs page's note differs for anonymous callers, so they never share a view with authenticated ones.
    const key = `${principal.anonymous ? 'anonymous' : 'caller'}:${functions.map((fn) => fn.name).join(',')}`;
    return this.view(key, () => ({
      openapi: JSON.stringify(buildOpenApi(catalog, { functions }), null, 2),
      docs: renderDocsPage(catalog, { functions, note }),
    }));
  }

  private view(key: string, build: () => Documents): Documents {
    let documents = this.views.get(key);
    if (!documents) {
      documents = build();
      this.views.set(key, documents);
    }
    return documents;
  }
}
