import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestJwtIssuer } from '../../../test/utils/jwt-issuer.js';
import { generateApiKey, hashApiKey } from './api-key-hasher.js';
import { ApiKeyStore } from './api-key.store.js';
import { AuthErrorCode, type AuthError } from './auth-error.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { JwksSource } from './jwks-source.js';
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier } from './jwt-verifier.js';
import { CredentialAuthenticator } from './credential-authenticator.js';

describe(CredentialAuthenticator.name, () => {
  let issuer: TestJwtIssuer;
  const key = generateApiKey('acme');

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
  });
  afterAll(() => issuer.stop());

  function build(maxFailures = 3) {
    const apiKeys = ApiKeyStore.fromEntries([
      { id: 'acme', hash: hashApiKey(key), roles: ['partner'], scopes: [], claims: {} },
    ]);
    const jwt = new JwtVerifier(JwksSource.local({ keys: [issuer.publicJwk] }), {
      issuers: [issuer.issuer],
      audiences: [issuer.audience],
      algorithms: DEFAULT_JWT_ALGORITHMS,
      clockToleranceSeconds: 60,
    });
    const sut = new CredentialAuthenticator(
      jwt,
      apiKeys,
      new AuthFailureLimiter({ maxFailures, windowSeconds: 60, refusalDelayMs: 0 }),
    );
    return { sut, apiKeys, jwt };
  }

  describe('authenticate', () => {
    it('should refuse two credentials even when both are valid', async () => {
      const { sut } = build();
      const token = await issuer.token();
      for (const authorization of [`Bearer ${token}`, `Bearer not-a-token`, `ApiKey ${key}`]) {
        await expect(sut.authenticate({ 'x-api-key': key, authorization }, '10.0.0.1')).rejects.toMatchObject(
          {
            code: AuthErrorCode.MultipleCredentials,
            message: 'send one credential: both X-API-Key and Authorization were sent',
          },
        );
      }
    });

    it('should treat an empty X-API-Key as a wrong key and an empty Authorization as none', async () => {
      const { sut } = build();
      await expect(sut.authenticate({ 'x-api-key': '' }, '10.0.0.1')).rejects.toMatchObject({
        code: AuthErrorCode.InvalidApiKey,
      });
      await expect(sut.authenticate({ authorization: ' ' }, '10.0.0.1')).resolves.toMatchObject({
        anonymous: true,
      });
    });

    it('should stop checking the credentials of an address after its failures, except remembered ones', async () => {
      const { sut, apiKeys, jwt } = build(3);
      const token = await issuer.token();
      await sut.authenticate({ 'x-api-key': key }, '10.0.0.1');
      for (let i = 0; i < 3; i += 1) {
        await expect(
          sut.authenticate({ 'x-api-key': generateApiKey('acme') }, '10.0.0.1'),
        ).rejects.toMatchObject({ code: AuthErrorCode.InvalidApiKey });
      }
      const keyChecks = vi.spyOn(apiKeys, 'authenticate');
      const tokenChecks = vi.spyOn(jwt, 'verify');
      await expect(
        sut.authenticate({ 'x-api-key': generateApiKey('acme') }, '10.0.0.1'),
      ).rejects.toMatchObject({
        code: AuthErrorCode.TooManyFailures,
      });
      // A valid token this replica has not seen yet is not checked either: the address is refused outright.
      await expect(sut.authenticate({ authorization: `Bearer ${token}` }, '10.0.0.1')).rejects.toMatchObject({
        code: AuthErrorCode.TooManyFailures,
      });
      expect(keyChecks).not.toHaveBeenCalled();
      expect(tokenChecks).not.toHaveBeenCalled();
      await expect(sut.authenticate({ 'x-api-key': key }, '10.0.0.1')).resolves.toMatchObject({
        id: 'apikey:acme',
      });
      await expect(sut.authenticate({}, '10.0.0.1')).resolves.toMatchObject({ anonymous: true });
      await expect(sut.authenticate({ authorization: `Bearer ${token}` }, '10.0.0.2')).resolves.toMatchObject(
        {
          id: 'user-1',
        },
      );
    });

    it('should check a credential sent by concurrent requests once', async () => {
      const { sut, jwt } = build();
      const token = await issuer.token({ sub: 'burst' });
      const checks = vi.spyOn(jwt, 'verify');
      const principals = await Promise.all(
        Array.from({ length: 10 }, () => sut.authenticate({ authorization: `Bearer ${token}` }, '10.0.0.4')),
      );
      expect(principals.map((p) => p.id)).toEqual(Array(10).fill('burst'));
      expect(checks).toHaveBeenCalledTimes(1);
    });

    it('should not start more checks for one client at once than its failure limit', async () => {
      const { sut, apiKeys } = build(3);
      const checks = vi.spyOn(apiKeys, 'authenticate');
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, () =>
          sut.authenticate({ 'x-api-key': generateApiKey('acme') }, '10.0.0.5').then(
            (): AuthErrorCode | undefined => undefined,
            (error: AuthError) => error.code,
          ),
        ),
      );
      expect(checks).toHaveBeenCalledTimes(3);
      expect(outcomes.filter((code) => code === AuthErrorCode.InvalidApiKey)).toHaveLength(3);
      expect(outcomes.filter((code) => code === AuthErrorCode.TooManyFailures)).toHaveLength(7);
    });

    it('should count malformed headers as failures', async () => {
      const { sut } = build(2);
      for (let i = 0; i < 2; i += 1) {
        await expect(sut.authenticate({ authorization: 'Basic a b' }, '10.0.0.3')).rejects.toMatchObject({
          code: AuthErrorCode.InvalidToken,
        });
      }
      await expect(
        sut.authenticate({ authorization: `Bearer ${await issuer.token()}` }, '10.0.0.3'),
      ).rejects.toMatchObject({ code: AuthErrorCode.TooManyFailures });
    });
  });
});
