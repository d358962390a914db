import { Controller, Get, Inject, Optional, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { Catalog } from '../catalog/catalog.types.js';
import { callableFunctions, type FunctionVisibility } from '../query/function-visibility.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { REQUEST_AUTHENTICATOR } from '../query/query-hooks.js';
import { buildOpenApi } from './openapi/openapi-builder.js';
import { sendProblem } from './problem-reply.js';

/** Distinct views (sets of visible functions) kept per catalog version; a miss only costs a rebuild. */
const MAX_VIEWS = 32;

/**
 * The OpenAPI document (which the explorer at `/` reads too). With `FUNCTION_VISIBILITY=all` one document for
 * everybody, memoized per catalog version. With `callable` each caller gets the document of the functions it may
 * call (credentials as on any call; a failing credential is a 401), memoized per set of visible functions and
 * answered `private` with `Vary: Authorization, X-API-Key`, so no shared cache hands one caller's view to another.
 */
@Controller()
export class OpenApiController {
  private readonly logger = createLogger('rest');
  private readonly visibility: FunctionVisibility;
  private catalogOfViews?: Catalog;
  private readonly views = new LRUCache<string, string>({ max: MAX_VIEWS });

  constructor(
    private readonly catalog: FunctionCatalogService,
    @Inject(REQUEST_AUTHENTICATOR) private readonly authenticator: RequestAuthenticator,
    @Optional() config?: EnvConfig,
  ) {
    this.visibility = config?.functionVisibility ?? 'all';
  }

  @Get('api/v1/openapi.json')
  async openapi(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<FastifyReply> {
    let document: string;
    try {
      document = await this.documentFor(request);
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
    return reply.status(200).header('content-type', 'application/json; charset=utf-8').send(document);
  }

  private async documentFor(request: FastifyRequest): Promise<string> {
    const catalog = this.catalog.current();
    if (this.catalogOfViews !== catalog) {
      this.catalogOfViews = catalog;
      this.views.clear();
    }
    if (this.visibility === 'all') {
      return this.view('*', () => JSON.stringify(buildOpenApi(catalog), null, 2));
    }
    const principal = await this.authenticator.authenticate(request.headers, request.ip, String(request.id));
    const functions = callableFunctions(catalog.functions, principal);
    return this.view(functions.map((fn) => fn.name).join(','), () =>
      JSON.stringify(buildOpenApi(catalog, { functions }), null, 2),
    );
  }

  private view(key: string, build: () => string): string {
    let document = this.views.get(key);
    if (document === undefined) {
      document = build();
      this.views.set(key, document);
    }
    return document;
  }
}
