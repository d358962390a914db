import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/**
 * Where the verification keys come from: a remote JWKS (Entra ID or any OIDC provider) fetched on demand and
 * cached by jose — refetched at most every `cooldownMs` when a token names an unknown `kid`, so key rotation
 * works without a restart while a flood of forged kids cannot hammer the provider — or a fixed local set (the dev
 * signing key).
 */
export class JwksSource {
  private constructor(
    readonly getKey: JWTVerifyGetKey,
    readonly description: string,
  ) {}

  static remote(
    uri: string,
    options: { cacheMaxAgeMs?: number; cooldownMs?: number; timeoutMs?: number } = {},
  ) {
    const getKey = createRemoteJWKSet(new URL(uri), {
      cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
      cooldownDuration: options.cooldownMs ?? 30_000,
      timeoutDuration: options.timeoutMs ?? 5_000,
    });
    return new JwksSource(getKey, `JWKS ${uri}`);
  }

  static local(jwks: JSONWebKeySet, description = 'local dev signing key'): JwksSource {
    return new JwksSource(createLocalJWKSet(jwks), description);
  }
}
