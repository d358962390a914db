import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ExplorerAssets } from './explorer-assets.js';
import { sendWebPage } from './web-page.reply.js';

/**
 * The explorer's policy: its own bundled script and style sheet only (no inline code, no eval, no CDN), calls to
 * this origin only (the REST endpoints, the OpenAPI document and the SSE stream), and no framing by other sites.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The function explorer (web/explorer, built by Vite into dist/web/explorer): its page at `/`, the hashed files of
 * the bundled pages under `/ui/assets/`, and `/docs`, the former docs page's address, redirecting to it. The page holds no
 * data: it reads the caller's OpenAPI document and calls the REST endpoints with the caller's credentials.
 */
@Controller()
export class ExplorerController {
  constructor(private readonly assets: ExplorerAssets) {}

  @Get()
  page(@Res() reply: FastifyReply): FastifyReply {
    return sendWebPage(
      reply,
      this.assets.page('explorer'),
      EXPLORER_CSP,
      'The explorer is not built: `npm run build` writes dist/web/explorer. The API is described at /api/v1/openapi.json.\n',
    );
  }

  @Get('ui/assets/:name')
  asset(@Param('name') name: string, @Res() reply: FastifyReply): FastifyReply {
    const asset = this.assets.asset(name);
    if (!asset) {
      return reply.status(404).header('content-type', 'text/plain; charset=utf-8').send('Not found\n');
    }
    // Vite puts a content hash in every asset name, so a name never changes content.
    return reply
      .status(200)
      .header('content-type', asset.contentType)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(asset.body);
  }

  @Get('docs')
  docs(@Res() reply: FastifyReply): FastifyReply {
    return reply.status(301).header('location', '/').send();
  }
}
