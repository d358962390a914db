import { KqlgateError } from '../../common/errors/kqlgate-error.js';

/** Why a caller was refused; each code maps to one HTTP status and one GraphQL error code (see `authHttpStatus`). */
export enum AuthErrorCode {
  /** The function requires a caller and none was presented. */
  Unauthenticated = 'AUTH_UNAUTHENTICATED',
  /** A bearer token was presented but failed validation (signature, kid, alg, exp/nbf, iss, aud…). */
  InvalidToken = 'AUTH_INVALID_TOKEN',
  /** An API key was presented but is unknown or does not match its stored hash. */
  InvalidApiKey = 'AUTH_INVALID_API_KEY',
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
  get httpStatus(): 400 | 401 | 403 {
    return authHttpStatus(this.code);
  }
}

export function authHttpStatus(code: AuthErrorCode): 400 | 401 | 403 {
  switch (code) {
    case AuthErrorCode.Unauthenticated:
    case AuthErrorCode.InvalidToken:
    case AuthErrorCode.InvalidApiKey:
      return 401;
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
    case AuthErrorCode.Forbidden:
      return `Bearer ${realm}, error="insufficient_scope", error_description=${quote(error.message)}`;
    case AuthErrorCode.BoundClaimMissing:
    case AuthErrorCode.BoundParameterSupplied:
      return undefined;
  }
}

function quote(text: string): string {
  // Header values must stay on one line of visible ASCII; quoted-string escapes only `"` and `\`.
  return `"${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, '\\$&')}"`;
}
