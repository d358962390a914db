import { AuthError, AuthErrorCode } from './auth-error.js';
import type { AuthFailureLimiter } from './auth-failure-limiter.js';
import { isApiKeyFormat } from './api-key-hasher.js';
import type { ApiKeyStore } from './api-key.store.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { anonymousPrincipal, type Principal } from './principal.js';
import type { CredentialHeaders, RequestAuthenticator } from './request-authenticator.js';

type Credential = { readonly kind: 'api-key' | 'jwt'; readonly value: string };

/**
 * Turns the credentials of a request into a Principal. No credentials → anonymous (authorization then decides
 * whether the function allows that). Credentials that fail → 401 even for anonymous functions: a client that
 * sends a broken token must learn about it rather than silently get the public view. A request carries one
 * credential: two (an API key and a bearer token, say) are refused whatever each is worth, so no combination of
 * a valid and an invalid credential ever gets through.
 *
 * Accepted: `Authorization: Bearer <JWT>`, `Authorization: Bearer kqg_…` or `ApiKey kqg_…`, `X-API-Key: kqg_…`.
 *
 * Order of work, cheapest first: parse the headers; a credential this replica already accepted is answered from
 * memory, and one being checked right now joins that check; otherwise the failure limiter may refuse the client
 * (429, held a moment) before any signature check or key hash; only then is the credential verified, counting
 * against the client until it succeeds.
 */
export class CredentialAuthenticator implements RequestAuthenticator {
  /** Checks running now, by credential text: bounded by the requests in flight. */
  private readonly checking = new Map<string, Promise<Principal>>();

  constructor(
    private readonly jwt: JwtVerifier | undefined,
    private readonly apiKeys: ApiKeyStore,
    private readonly failures?: AuthFailureLimiter,
  ) {}

  async authenticate(headers: CredentialHeaders, clientAddress?: string): Promise<Principal> {
    let credential: Credential | undefined;
    try {
      credential = presentedCredential(headers);
    } catch (error) {
      this.failures?.recordFailure(clientAddress);
      throw error;
    }
    if (!credential) {
      return anonymousPrincipal(clientAddress);
    }
    const remembered =
      credential.kind === 'api-key'
        ? this.apiKeys.recall(credential.value)
        : this.jwt?.recall(credential.value);
    if (remembered) {
      return remembered;
    }
    // The same credential already being checked (a client's burst with a new token, or a flood repeating one
    // wrong key): wait for that check instead of starting another.
    const running = this.checking.get(credential.value);
    if (running) {
      return running;
    }
    const failures = this.failures;
    if (failures?.refusal(clientAddress)) {
      await failures.hold();
      // Asked again after the hold, so Retry-After counts from the answer (and the window may have ended since).
      const refusal = failures.refusal(clientAddress);
      if (refusal) {
        throw refusal;
      }
    }
    const settle = failures?.attempt(clientAddress);
    const check = this.verify(credential).then(
      (principal) => {
        settle?.(false);
        return principal;
      },
      (error: unknown) => {
        settle?.(error instanceof AuthError);
        throw error;
      },
    );
    this.checking.set(credential.value, check);
    const forget = () => this.checking.delete(credential.value);
    check.then(forget, forget);
    return check;
  }

  private async verify(credential: Credential): Promise<Principal> {
    if (credential.kind === 'api-key') {
      return this.apiKeys.authenticate(credential.value);
    }
    if (!this.jwt) {
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        'bearer tokens are not accepted: JWKS_URI is not configured (and dev mode is off); use an API key',
      );
    }
    return this.jwt.verify(credential.value);
  }
}

/** The one credential of a request, undefined when it has none; throws on a malformed or second credential. */
function presentedCredential(headers: CredentialHeaders): Credential | undefined {
  // An empty X-API-Key is a (broken) credential; an empty Authorization header counts as none.
  const apiKeyHeader = single(headers['x-api-key'])?.trim();
  const authorization = nonEmpty(single(headers.authorization));
  if (apiKeyHeader !== undefined && authorization !== undefined) {
    throw new AuthError(
      AuthErrorCode.MultipleCredentials,
      'send one credential: both X-API-Key and Authorization were sent',
    );
  }
  if (apiKeyHeader !== undefined) {
    return { kind: 'api-key', value: apiKeyHeader };
  }
  if (authorization === undefined) {
    return undefined;
  }
  const match = /^(\S+)\s+(\S+)$/.exec(authorization);
  if (!match) {
    throw new AuthError(
      AuthErrorCode.InvalidToken,
      'Authorization header must be "Bearer <token>" or "ApiKey <key>"',
    );
  }
  const scheme = match[1].toLowerCase();
  const value = match[2];
  if (scheme === 'apikey' || (scheme === 'bearer' && isApiKeyFormat(value))) {
    return { kind: 'api-key', value };
  }
  if (scheme !== 'bearer') {
    throw new AuthError(
      AuthErrorCode.InvalidToken,
      `Authorization scheme "${match[1]}" is not supported; use Bearer`,
    );
  }
  return { kind: 'jwt', value };
}

function single(value: string | string[] | undefined): string | undefined {
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw new AuthError(AuthErrorCode.MultipleCredentials, 'more than one credential header was sent');
    }
    return value[0];
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
