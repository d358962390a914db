import { Global, Module } from '@nestjs/common';
import { EnvConfig } from '../../config/env.dto.js';
import { AUTHORIZATION_POLICY, REQUEST_AUTHENTICATOR } from '../query/query-hooks.js';
import { AuditedRequestAuthenticator } from './audited-request.authenticator.js';
import { buildAuthComponents } from './auth-settings.js';
import { AUTH_COMPONENTS } from './auth.tokens.js';
import { FunctionAuthorizationPolicy } from './function-authorization.policy.js';
import { JwksController } from './jwks.controller.js';

/**
 * Who is calling and what they may call: authentication (JWT/JWKS, API keys, dev tokens) for both edges, and
 * per-function authorization with claim binding for FunctionQueryService. It alone binds REQUEST_AUTHENTICATOR,
 * which the edges (REST, SSE, graphql-ws, MCP) inject as it is: a call without credentials is anonymous
 * by its decision, not by an edge's fallback. Global, so the query module and the edges see the hook bindings;
 * needs the global ConfigModule (EnvConfig).
 */
@Global()
@Module({
  controllers: [JwksController],
  providers: [
    {
      provide: AUTH_COMPONENTS,
      inject: [EnvConfig],
      useFactory: (config: EnvConfig) => buildAuthComponents(config),
    },
    { provide: REQUEST_AUTHENTICATOR, useClass: AuditedRequestAuthenticator },
    { provide: AUTHORIZATION_POLICY, useFactory: () => new FunctionAuthorizationPolicy() },
  ],
  exports: [REQUEST_AUTHENTICATOR, AUTHORIZATION_POLICY, AUTH_COMPONENTS],
})
export class AuthModule {}
