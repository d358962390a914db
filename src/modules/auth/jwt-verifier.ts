import { errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { createLogger } from '../../common/logging/logger.js';
import { AuthError, AuthErrorCode } from './auth-error.js';
import type { JwksSource } from './jwks-source.js';
import type { Principal } from './principal.js';

/**
 * Asymmetric algorithms only: HS* would let anyone holding the public key (it is published in the JWKS) forge
 * tokens, and `none` is never acceptable. jose also refuses to use an RSA/EC key for an algorithm of another
 * family, so "HS256 signed with the public key" fails twice over.
 */
export const DEFAULT_JWT_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
]);

export interface JwtSettings {
  /** Accepted `iss` values (Entra ID v1 `https://sts.windows.net/<tid>/`, v2 `https://login.microsoftonline.com/<tid>/v2.0`). */
  readonly issuers: readonly string[];
  /** Accepted `aud` values (Entra ID: the application ID URI for v1 tokens, the client id for v2 tokens). */
  readonly audiences: readonly string[];
  readonly algorithms: readonly string[];
  /** Tolerated clock difference with the issuer for `exp`, `nbf` and `iat`. */
  readonly clockToleranceSeconds: number;
}

/**
 * Validates bearer JWTs and turns their claims into a Principal (Entra ID v1/v2 claim names understood).
 *
 * A token that verified is remembered (bounded LRU keyed by the exact token text) until its `exp`, so a client
 * reusing its token — the normal case — costs one signature check per token instead of one per request. The
 * cached result is only reused while the token is still within its validity window.
 */
export class JwtVerifier {
  private readonly verified = new LRUCache<
    string,
    { principal: Principal; expiresAtMs: number; notBeforeMs: number }
  >({
    max: 10_000,
  });
  private readonly logger = createLogger('auth');
  private lastKeySourceReportAt = -Infinity;

  constructor(
    private readonly keys: JwksSource,
    private readonly settings: JwtSettings,
  ) {
    if (settings.algorithms.some((alg) => alg === 'none' || alg.startsWith('HS'))) {
      throw new Error(
        `JwtVerifier: algorithms ${settings.algorithms.join(', ')} include 'none' or HS*; only asymmetric algorithms can be verified against a JWKS`,
      );
    }
  }

  /** The principal of a token that already verified and is still within its validity window; else undefined. */
  recall(token: string, now: number = Date.now()): Principal | undefined {
    const known = this.verified.get(token);
    const toleranceMs = this.settings.clockToleranceSeconds * 1000;
    return known && now < known.expiresAtMs + toleranceMs && now >= known.notBeforeMs - toleranceMs
      ? known.principal
      : undefined;
  }

  async verify(token: string, now: number = Date.now()): Promise<Principal> {
    const known = this.recall(token, now);
    if (known) {
      return known;
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.getKey, {
        issuer: [...this.settings.issuers],
        audience: [...this.settings.audiences],
        algorithms: [...this.settings.algorithms],
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['exp'],
        currentDate: new Date(now),
      }));
    } catch (error) {
      if (
        !(error instanceof joseErrors.JOSEError) ||
        error instanceof joseErrors.JWKSTimeout ||
        error instanceof joseErrors.JWKSInvalid
      ) {
        this.reportKeySourceFailure(error);
      }
      throw new AuthError(AuthErrorCode.InvalidToken, describeJoseError(error), {
        reason: error instanceof joseErrors.JOSEError ? error.code : 'ERR_JWT_MALFORMED',
      });
    }
    assertIssuedInThePast(payload, now, this.settings.clockToleranceSeconds);
    const principal = principalFromClaims(payload);
    this.verified.set(token, {
      principal,
      expiresAtMs: (payload.exp ?? 0) * 1000,
      notBeforeMs: (payload.nbf ?? 0) * 1000,
    });
    return principal;
  }

  /** The caller hears only that the keys are unavailable; the operator needs where from and why (every 30 s). */
  private reportKeySourceFailure(error: unknown): void {
    const now = Date.now();
    if (now - this.lastKeySourceReportAt >= 30_000) {
      this.lastKeySourceReportAt = now;
      this.logger.warn(
        { err: error instanceof Error ? error.message : String(error), keys: this.keys.description },
        'cannot verify bearer tokens: the signing keys are unavailable',
      );
    }
  }
}

/**
 * Entra ID puts app roles in `roles` (string array) and delegated scopes in `scp` (space-separated string);
 * generic OAuth2 servers use `scope`. The stable caller id is the object id (`oid`) when present — it is the same
 * for a user across applications — and `sub` otherwise.
 */
export function principalFromClaims(payload: JWTPayload): Principal {
  const roles = stringList(payload.roles);
  const scopes = [...new Set([...stringList(payload.scp), ...stringList(payload.scope)])];
  const subject = typeof payload.oid === 'string' ? payload.oid : payload.sub;
  if (!subject) {
    throw new AuthError(
      AuthErrorCode.InvalidToken,
      'token has neither an "oid" nor a "sub" claim to identify the caller',
    );
  }
  return Object.freeze({
    id: subject,
    roles,
    scopes,
    claims: Object.freeze({ ...payload }),
    anonymous: false,
    method: 'jwt' as const,
  });
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') {
    return value.split(' ').filter((part) => part.length > 0);
  }
  if (Array.isArray(value)) {
    return value.filter((part): part is string => typeof part === 'string');
  }
  return [];
}

/**
 * jose checks `iat` only against a maximum token age, which kqlgate does not set (`exp` bounds a token's life), so
 * a token issued in the future — a skewed or compromised issuer clock — is refused here, with the same tolerance
 * as `exp` and `nbf`.
 */
function assertIssuedInThePast(payload: JWTPayload, now: number, toleranceSeconds: number): void {
  const nowSeconds = Math.floor(now / 1000);
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + toleranceSeconds) {
    throw new AuthError(
      AuthErrorCode.InvalidToken,
      `token is issued in the future (iat ${payload.iat} is ${payload.iat - nowSeconds} s ahead; ${toleranceSeconds} s of clock skew tolerated)`,
      { reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED' },
    );
  }
}

/** What a caller is told about a refused token: the claim or check that failed, never where the keys live. */
function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) {
    return `token expired (exp ${String(error.payload.exp)})`;
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return `token is not valid yet (nbf ${String(error.payload.nbf)})`;
      case 'iss':
        return `token issuer ${JSON.stringify(error.payload.iss)} is not accepted`;
      case 'aud':
        return `token audience ${JSON.stringify(error.payload.aud)} is not accepted`;
      default:
        return `token claim "${error.claim}" is invalid: ${error.reason}`;
    }
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return 'token signing algorithm is not allowed (asymmetric algorithms only)';
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return "token key id (kid) is not one of the issuer's signing keys";
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return 'token signature verification failed';
  }
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return "the issuer's signing keys cannot be fetched at the moment; retry later";
  }
  if (error instanceof joseErrors.JOSENotSupported) {
    return `token uses an unsupported algorithm or key type: ${error.message}`;
  }
  if (error instanceof joseErrors.JOSEError) {
    return `token is malformed: ${error.message}`;
  }
  return 'token cannot be verified at the moment; retry later';
}
