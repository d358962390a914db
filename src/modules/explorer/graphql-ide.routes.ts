import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { EnvConfig } from '../../config/env.dto.js';
import { ExplorerAssets } from './explorer-assets.js';
import { sendWebPage } from './web-page.reply.js';

/** Where GraphQL is served (POST, Apollo's GET queries and the graphql-ws upgrade) and the IDE is shown. */
const GRAPHQL_PATH = '/graphql';

/**
 * The explorer's policy (explorer.controller.ts) plus what GraphiQL needs, and nothing else:
 * - `style-src 'self'` still: GraphiQL's and CodeMirror's styles come in the bundled sheet; the inline positions
 *   they set at run time go through the CSSOM (element.style), which CSP does not govern;
 * - `font-src data:`: GraphiQL's style sheet embeds its fonts as data: URLs (from the bundle, not another origin);
 * - `connect-src 'self'`: operations and introspection are POSTs to this origin's /graphql.
 */
export const GRAPHQL_IDE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  'font-src data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The GraphQL IDE (web/graphiql, built by Vite into dist/web/graphiql beside the explorer, whose assets route serves
 * its files): GET /graphql from a browser (`Accept: text/html`) answers with the page. Every other request to
 * /graphql goes on to Apollo as before: POSTs, GETs for JSON (Apollo's GET queries), and the WebSocket upgrade, which
 * never reaches Fastify's request hooks. GRAPHQL_IDE=false (the production default) leaves even browsers to Apollo.
 *
 * An onRequest hook rather than a route: Apollo owns GET /graphql, and a second handler for it cannot be registered.
 */
@Injectable()
export class GraphqlIdeRoutes implements OnModuleInit {
  constructor(
    private readonly assets: ExplorerAssets,
    private readonly adapterHost: HttpAdapterHost,
    @Optional() private readonly config?: EnvConfig,
  ) {}

  onModuleInit(): void {
    if (!(this.config?.graphqlIde ?? true)) {
      return;
    }
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply, done) => {
      if (!wantsIde(request)) {
        done();
        return;
      }
      void sendWebPage(
        reply,
        this.assets.page('graphiql'),
        GRAPHQL_IDE_CSP,
        'The GraphQL IDE is not built: `npm run build` writes dist/web/graphiql. GraphQL is served at POST /graphql.\n',
      );
    });
  }
}

/** A browser navigating to /graphql: a GET whose Accept names HTML (an API client asks for JSON or anything). */
function wantsIde(request: FastifyRequest): boolean {
  return (
    request.method === 'GET' &&
    request.url.split('?', 1)[0] === GRAPHQL_PATH &&
    (request.headers.accept ?? '').includes('text/html')
  );
}
