import { Inject, Injectable, Optional } from '@nestjs/common';
import { failSpan, inSpan, tracing } from '../../common/telemetry/kqlgate-tracer.js';
import { QueryAuditLogger } from '../audit/query-audit.logger.js';
import { QUERY_AUDIT } from '../query/query-hooks.js';
import { AuthError, AuthErrorCode } from './auth-error.js';
import type { AuthComponents } from './auth-settings.js';
import { AUTH_COMPONENTS } from './auth.tokens.js';
import type { Principal } from './principal.js';
import type { CredentialHeaders, RequestAuthenticator } from './request-authenticator.js';

/**
 * The auth module's RequestAuthenticator: the CredentialAuthenticator of AUTH_COMPONENTS, with a tracing span and
 * the audit line of a refused caller, who never reaches FunctionQueryService to have it written there.
 */
@Injectable()
export class AuditedRequestAuthenticator implements RequestAuthenticator {
  private readonly audit: QueryAuditLogger;

  constructor(
    @Inject(AUTH_COMPONENTS) private readonly components: AuthComponents,
    @Optional() @Inject(QUERY_AUDIT) audit?: QueryAuditLogger,
  ) {
    this.audit = audit ?? new QueryAuditLogger();
  }

  authenticate(headers: CredentialHeaders, clientAddress?: string, requestId?: string): Promise<Principal> {
    if (!tracing.enabled) {
      return this.audited(headers, clientAddress, requestId);
    }
    // The span says how the caller authenticated, or why not: never a credential.
    return inSpan('kqlgate.authenticate', {}, async (span) => {
      try {
        const principal = await this.audited(headers, clientAddress, requestId);
        span?.setAttributes({ 'kqlgate.auth.method': principal.method, 'kqlgate.status': 'ok' });
        return principal;
      } catch (error) {
        failSpan(span, error);
        throw error;
      }
    });
  }

  private async audited(
    headers: CredentialHeaders,
    clientAddress?: string,
    requestId?: string,
  ): Promise<Principal> {
    try {
      return await this.components.authenticator.authenticate(headers, clientAddress);
    } catch (error) {
      if (error instanceof AuthError) {
        this.audit.record({
          requestId,
          principal: clientAddress ? `unauthenticated:${clientAddress}` : 'unauthenticated',
          function: '-',
          outcome: error.code === AuthErrorCode.TooManyFailures ? 'throttled' : 'unauthenticated',
          errorCode: error.code,
        });
      }
      throw error;
    }
  }
}
