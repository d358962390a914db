import { KqlgateError } from '../../common/errors/kqlgate-error.js';

/** Why a caller was refused; each code maps to one HTTP status and one GraphQL error code (see `authHttpStatus`). */
export enum AuthErrorCode {
  /** The function requires a caller and none was presented. */
  Unauthenticated = 'AUTH_UNAUTHENTICATED',
  /** A bearer token was presented but failed validation (signature, kid, alg, exp/nbf, iss, aud…). */
  InvalidToken = 'AUTH_INVALID_TOKEN',
  /** An API key was presented but is unknown or does not match its stored hash. */
  InvalidApiKey = 'AUTH_INVALID_API_KEY',
  /** More than one credential was presented (e.g. X-API-Key and Authorization): none of them is used. */
  MultipleCredentials = 'AUTH_MULTIPLE_CREDENTIALS',
  /**
   * The client address failed to authenticate too often within the window: its credentials are not checked
   * (no signature check, no key hash) until the window ends, except ones this replica already accepted.
   */
  TooManyFailures = 'AUTH_TOO_MANY_FAILURES',
  /** The caller is known but lacks every role/scope the function requires. */
  Forbidden = 'AUTH_FORBIDDEN',
  /** The caller's token lacks the claim a bound parameter takes its value from. */
  BoundClaimMissing = 'AUTH_BOUND_CLAIM_MISSING',
  /** The request passed a value for a parameter that is bound to a claim. */
  BoundParameterSupplied = 'AUTH_BOUND_PARAMETER_SUPPLIED',
}

export class AuthError extends KqlgateError {
  constructor(
    override readonly code: AuthErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }

  /** Read by the REST and GraphQL error translators (see query-hooks.ts). */
  get httpStatus(): 400 | 401 | 403 | 429 {
    return authHttpStatus(this.code);
  }

  /** The `WWW-Authenticate` challenge this refusal answers with, if any. */
  get challenge(): string | undefined {
    return wwwAuthenticateHeader(this);
  }

  /** Seconds until a `TooManyFailures` refusal ends (the `Retry-After` header), else undefined. */
  get retryAfterSeconds(): number | undefined {
    const seconds = this.details.retryAfterSeconds;
    return typeof seconds === 'number' ? seconds : undefined;
  }
}

export function authHttpStatus(code: AuthErrorCode): 400 | 401 | 403 | 429 {
  switch (code) {
    case AuthErrorCode.Unauthenticated:
    case AuthErrorCode.InvalidToken:
    case AuthErrorCode.InvalidApiKey:
    case AuthErrorCode.MultipleCredentials:
      return 401;
    case AuthErrorCode.TooManyFailures:
      return 429;
    case AuthErrorCode.Forbidden:
    case AuthErrorCode.BoundClaimMissing:
      return 403;
    case AuthErrorCode.BoundParameterSupplied:
      return 400;
  }
}

/**
 * The RFC 6750 challenge sent with a 401 (and, as `insufficient_scope`, with a 403) so a client knows which
 * scheme to use and why the credentials it sent were refused.
 */
export function wwwAuthenticateHeader(error: Pick<AuthError, 'code' | 'message'>): string | undefined {
  const realm = 'realm="kqlgate"';
  switch (error.code) {
    case AuthErrorCode.Unauthenticated:
      return `Bearer ${realm}, ApiKey ${realm}`;
    case AuthErrorCode.InvalidToken:
    case AuthErrorCode.InvalidApiKey:
      return `Bearer ${realm}, error="invalid_token", error_description=${quote(error.message)}`;
    case AuthErrorCode.MultipleCredentials:
      // RFC 6750's code for "uses more than one method for including an access token". The status stays 401
      // (not the 400 the RFC suggests): the request is not authenticated, and every failed credential is a 401.
      return `Bearer ${realm}, error="invalid_request", error_description=${quote(error.message)}`;
    case AuthErrorCode.Forbidden:
      return `Bearer ${realm}, error="insufficient_scope", error_description=${quote(error.message)}`;
    case AuthErrorCode.TooManyFailures:
    case AuthErrorCode.BoundClaimMissing:
    case AuthErrorCode.BoundParameterSupplied:
      return undefined;
  }
}

function quote(text: string): string {
  // Header values must stay on one line of visible ASCII; quoted-string escapes only `"` and `\`.
  return `"${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`;
}
