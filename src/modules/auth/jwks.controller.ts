import { Controller, Get, Header, Inject, NotFoundException } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import type { AuthComponents } from './auth-settings.js';
import { AUTH_COMPONENTS } from './auth.tokens.js';

/** Dev mode only: the public half of the local signing key, for clients and tools that verify dev tokens. */
@Controller('.well-known')
export class JwksController {
  constructor(@Inject(AUTH_COMPONENTS) private readonly components: AuthComponents) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  async jwks(): Promise<JSONWebKeySet> {
    if (!this.components.devKeys) {
      throw new NotFoundException(
        'no local JWKS: /.well-known/jwks.json is served in dev mode only (embedded stack without JWKS_URI)',
      );
    }
    return this.components.devKeys.publicJwks();
  }
}
