import { AuthError, AuthErrorCode } from './auth-error.js';
import { isApiKeyFormat } from './api-key-hasher.js';
import type { ApiKeyStore } from './api-key.store.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { anonymousPrincipal, type Principal } from './principal.js';

export interface CredentialHeaders {
  readonly authorization?: string | string[];
  readonly 'x-api-key'?: string | string[];
}

/**
 * Turns the credentials of a request into a Principal. No credentials → anonymous (authorization then decides
 * whether the function allows that). Credentials that fail → 401 even for anonymous functions: a client that
 * sends a broken token must learn about it rather than silently get the public view.
 *
 * Accepted: `Authorization: Bearer <JWT>`, `Authorization: Bearer kqg_…` or `ApiKey kqg_…`, `X-API-Key: kqg_…`.
 */
export class RequestAuthenticator {
  constructor(
    private readonly jwt: JwtVerifier | undefined,
    private readonly apiKeys: ApiKeyStore,
  ) {}

  async authenticate(headers: CredentialHeaders, clientAddress?: string): Promise<Principal> {
    const apiKeyHeader = single(headers['x-api-key']);
    const authorization = single(headers.authorization);
    if (apiKeyHeader !== undefined) {
      return this.apiKeys.authenticate(apiKeyHeader.trim());
    }
    if (authorization === undefined || authorization.trim() === '') {
      return anonymousPrincipal(clientAddress);
    }
    const match = /^(\S+)\s+(\S+)\s*$/.exec(authorization.trim());
    if (!match) {
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        'Authorization header must be "Bearer <token>" or "ApiKey <key>"',
      );
    }
    const scheme = match[1].toLowerCase();
    const credential = match[2];
    if (scheme === 'apikey' || (scheme === 'bearer' && isApiKeyFormat(credential))) {
      return this.apiKeys.authenticate(credential);
    }
    if (scheme !== 'bearer') {
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        `Authorization scheme "${match[1]}" is not supported; use Bearer`,
      );
    }
    if (!this.jwt) {
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        'bearer tokens are not accepted: JWKS_URI is not configured (and dev mode is off); use an API key',
      );
    }
    return this.jwt.verify(credential);
  }
}

function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw new AuthError(AuthErrorCode.InvalidToken, 'more than one credential header was sent');
    }
    return value[0];
  }
  return value;
}
