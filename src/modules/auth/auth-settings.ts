import { resolve } from 'node:path';
import type { EnvConfig } from '../../config/env.dto.js';
import { createLogger, type Logger } from '../../common/logging/logger.js';
import { ApiKeyStore } from './api-key.store.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { DEV_AUDIENCE, DEV_ISSUER, DevSigningKeyStore } from './dev-signing-key.store.js';
import { JwksSource } from './jwks-source.js';
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier } from './jwt-verifier.js';
import { CredentialAuthenticator } from './credential-authenticator.js';

/** Clock skew tolerated on exp/nbf/iat: enough for unsynchronised VMs, small enough not to extend a token much. */
export const JWT_CLOCK_TOLERANCE_SECONDS = 60;

export type JwtMode =
  | { kind: 'jwks'; jwksUri: string; issuers: string[]; audiences: string[] }
  | { kind: 'dev'; issuers: string[]; audiences: string[] }
  | { kind: 'off' };

/**
 * How bearer tokens are validated, from the environment:
 * - `JWKS_URI` set → that JWKS (Entra ID or any OIDC provider); `JWT_ISSUER` and `JWT_AUDIENCE` are then required
 *   (comma-separated lists accepted, e.g. the v1 and v2 issuers of one tenant).
 * - otherwise, embedded stack (no `KUSTO_CLUSTER_URL`) → dev mode: the local key in `DATA_DIR/dev-keys/`, issuer
 *   `urn:kqlgate:dev` and audience `kqlgate` unless JWT_ISSUER / JWT_AUDIENCE say otherwise.
 * - otherwise (production without JWKS) → bearer tokens are refused; API keys and anonymous functions still work.
 */
export function jwtModeFromConfig(config: EnvConfig): JwtMode {
  const list = (value: string | undefined) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  if (config.JWKS_URI) {
    const issuers = list(config.JWT_ISSUER);
    const audiences = list(config.JWT_AUDIENCE);
    const missing = [
      issuers.length === 0 ? 'JWT_ISSUER' : '',
      audiences.length === 0 ? 'JWT_AUDIENCE' : '',
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new Error(
        `JWKS_URI is set but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not: tokens from any issuer/for any API signed by that JWKS would be accepted. For Entra ID set JWT_ISSUER=https://login.microsoftonline.com/<tenant-id>/v2.0 and JWT_AUDIENCE=<application client id or api:// URI>.`,
      );
    }
    return { kind: 'jwks', jwksUri: config.JWKS_URI, issuers, audiences };
  }
  if (config.kustoEmbedded) {
    const issuers = list(config.JWT_ISSUER);
    const audiences = list(config.JWT_AUDIENCE);
    return {
      kind: 'dev',
      issuers: issuers.length > 0 ? issuers : [DEV_ISSUER],
      audiences: audiences.length > 0 ? audiences : [DEV_AUDIENCE],
    };
  }
  return { kind: 'off' };
}

export function devKeyStoreFor(config: EnvConfig): DevSigningKeyStore {
  return new DevSigningKeyStore(resolve(config.DATA_DIR));
}

export interface AuthComponents {
  readonly mode: JwtMode;
  readonly authenticator: CredentialAuthenticator;
  /** Present in dev mode only: the key whose public half `/.well-known/jwks.json` serves. */
  readonly devKeys?: DevSigningKeyStore;
  readonly apiKeys: ApiKeyStore;
}

export async function buildAuthComponents(
  config: EnvConfig,
  logger: Logger = createLogger('auth'),
): Promise<AuthComponents> {
  const mode = jwtModeFromConfig(config);
  const apiKeys = config.API_KEYS_FILE ? await ApiKeyStore.load(config.API_KEYS_FILE) : ApiKeyStore.empty();
  const legacy = apiKeys.legacyKeyIds();
  if (legacy.length > 0) {
    logger.warn(
      { keyIds: legacy },
      `API_KEYS_FILE: ${legacy.length} key(s) still hashed with scrypt (${legacy.join(', ')}): every wrong key presented with their id costs ~50 ms of CPU; re-create each with \`npx kqlgate token --new-api-key <id>\` (sha256$ hash) and hand the new key to its partner`,
    );
  }
  const failures = new AuthFailureLimiter({
    maxFailures: config.AUTH_FAILURE_LIMIT,
    windowSeconds: config.AUTH_FAILURE_WINDOW_SECONDS,
    onLimitReached: (address, retryAfterSeconds) =>
      logger.warn(
        { clientAddress: address, failures: config.AUTH_FAILURE_LIMIT, retryAfterSeconds },
        `${config.AUTH_FAILURE_LIMIT} failed authentications from ${address} within ${config.AUTH_FAILURE_WINDOW_SECONDS} s: its credentials are refused unchecked (429) for ${retryAfterSeconds} s`,
      ),
  });
  let devKeys: DevSigningKeyStore | undefined;
  let verifier: JwtVerifier | undefined;
  const settings = (issuers: string[], audiences: string[]) => ({
    issuers,
    audiences,
    algorithms: DEFAULT_JWT_ALGORITHMS,
    clockToleranceSeconds: JWT_CLOCK_TOLERANCE_SECONDS,
  });
  switch (mode.kind) {
    case 'jwks':
      verifier = new JwtVerifier(JwksSource.remote(mode.jwksUri), settings(mode.issuers, mode.audiences));
      break;
    case 'dev':
      devKeys = devKeyStoreFor(config);
      verifier = new JwtVerifier(
        JwksSource.local(await devKeys.publicJwks(), `dev signing key in ${devKeys.path}`),
        settings(mode.issuers, mode.audiences),
      );
      break;
    case 'off':
      break;
  }
  return {
    mode,
    authenticator: new CredentialAuthenticator(verifier, apiKeys, failures),
    devKeys,
    apiKeys,
  };
}
