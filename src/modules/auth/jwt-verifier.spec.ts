import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestJwtIssuer } from '../../../test/utils/jwt-issuer.js';
import { AuthError, AuthErrorCode } from './auth-error.js';
import { JwksSource } from './jwks-source.js';
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier, principalFromClaims } from './jwt-verifier.js';

describe(JwtVerifier.name, () => {
  let issuer: TestJwtIssuer;
  let verifier: JwtVerifier;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    const uri = await issuer.start();
    verifier = new JwtVerifier(JwksSource.remote(uri, { cooldownMs: 0 }), {
      issuers: [issuer.issuer],
      audiences: [issuer.audience],
      algorithms: DEFAULT_JWT_ALGORITHMS,
      clockToleranceSeconds: 30,
    });
  });
  afterAll(() => issuer.stop());

  async function rejection(token: string | Promise<string>): Promise<AuthError> {
    const error = await verifier.verify(await token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe(AuthErrorCode.InvalidToken);
    return error as AuthError;
  }

  describe('verify', () => {
    it('should accept a valid token and map Entra ID claims', async () => {
      const principal = await verifier.verify(
        await issuer.token({
          sub: 's1',
          roles: ['analyst'],
          scp: 'Read.All Query',
          claims: { oid: 'o1', tid: 't1' },
        }),
      );
      expect(principal).toMatchObject({
        id: 'o1',
        roles: ['analyst'],
        scopes: ['Read.All', 'Query'],
        anonymous: false,
        method: 'jwt',
      });
      expect(principal.claims.tid).toBe('t1');
    });

    it('should reject an expired token', async () => {
      expect((await rejection(issuer.token({ expiresIn: -120 }))).message).toMatch(
        /^token expired \(exp \d+\)$/,
      );
    });

    it('should accept a token expired within the clock skew', async () => {
      await expect(verifier.verify(await issuer.token({ expiresIn: -10 }))).resolves.toMatchObject({
        id: 'user-1',
      });
    });

    it('should reject a token that is not valid yet', async () => {
      expect((await rejection(issuer.token({ notBefore: 300 }))).message).toMatch(
        /^token is not valid yet \(nbf \d+\)$/,
      );
    });

    it('should reject a wrong issuer', async () => {
      expect((await rejection(issuer.token({ issuer: 'https://evil.test/' }))).message).toBe(
        'token issuer "https://evil.test/" is not accepted',
      );
    });

    it('should reject a wrong audience', async () => {
      expect((await rejection(issuer.token({ audience: 'api://other' }))).message).toBe(
        'token audience "api://other" is not accepted',
      );
    });

    it('should reject an unknown kid without saying where the keys come from', async () => {
      expect((await rejection(issuer.token({ kid: 'not-a-key' }))).message).toBe(
        "token key id (kid) is not one of the issuer's signing keys",
      );
    });

    it('should reject a token issued beyond the clock tolerance in the future', async () => {
      const error = await rejection(issuer.token({ issuedAt: 86_400 }));
      // The token is signed a day ahead, and the clock may tick between signing and checking: the lead is a day
      // or up to a few seconds less, never more.
      const lead =
        /^token is issued in the future \(iat \d+ is (\d+) s ahead; 30 s of clock skew tolerated\)$/.exec(
          error.message,
        );
      expect(Number(lead?.[1])).toBeGreaterThan(86_390);
      expect(Number(lead?.[1])).toBeLessThanOrEqual(86_400);
      await expect(verifier.verify(await issuer.token({ issuedAt: 20 }))).resolves.toMatchObject({
        id: 'user-1',
      });
    });

    it('should not tell a caller where signing keys that do not answer live', async () => {
      // A JWKS endpoint that accepts the connection and never answers: jose gives up after timeoutMs.
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as AddressInfo;
      try {
        const stalled = new JwtVerifier(
          JwksSource.remote(`http://127.0.0.1:${port}/jwks.json`, { timeoutMs: 300 }),
          {
            issuers: [issuer.issuer],
            audiences: [issuer.audience],
            algorithms: DEFAULT_JWT_ALGORITHMS,
            clockToleranceSeconds: 30,
          },
        );
        const error = (await stalled.verify(await issuer.token()).catch((e: unknown) => e)) as AuthError;
        expect(error).toMatchObject({
          code: AuthErrorCode.InvalidToken,
          message: "the issuer's signing keys cannot be fetched at the moment; retry later",
          details: { reason: 'ERR_JWKS_TIMEOUT' },
        });
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('should reject alg none', async () => {
      expect((await rejection(issuer.unsignedToken())).message).toBe(
        'token signing algorithm is not allowed (asymmetric algorithms only)',
      );
    });

    it('should reject HS256 signed with the public key', async () => {
      expect((await rejection(issuer.hs256WithPublicKey({ roles: ['admin'] }))).message).toBe(
        'token signing algorithm is not allowed (asymmetric algorithms only)',
      );
    });

    it('should reject a tampered payload', async () => {
      expect((await rejection(issuer.tamperedToken())).message).toBe('token signature verification failed');
    });

    it('should reuse a verified token only within its validity window', async () => {
      const token = await issuer.token({ sub: 'cached', expiresIn: 60 });
      await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'cached' });
      await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'cached' });
      const later = Date.now() + 200_000;
      await expect(verifier.verify(token, later)).rejects.toMatchObject({
        code: AuthErrorCode.InvalidToken,
        message: expect.stringMatching(/^token expired/),
      });
    });

    it('should reject garbage', async () => {
      expect((await rejection('not.a.jwt')).message).toMatch(/^token is malformed: /);
    });
  });

  describe('constructor', () => {
    it('should refuse symmetric algorithms in the allow-list', () => {
      expect(
        () =>
          new JwtVerifier(JwksSource.local({ keys: [] }), {
            issuers: ['i'],
            audiences: ['a'],
            algorithms: ['RS256', 'HS256'],
            clockToleranceSeconds: 0,
          }),
      ).toThrow(/include 'none' or HS\*/);
    });
  });

  describe(principalFromClaims.name, () => {
    it('should merge scp and scope and prefer oid over sub', () => {
      expect(principalFromClaims({ sub: 's', scope: 'a b', scp: ['c'] })).toMatchObject({
        id: 's',
        scopes: ['c', 'a', 'b'],
      });
    });

    it('should reject a token without subject', () => {
      expect(() => principalFromClaims({ iss: 'x' })).toThrow('token has neither an "oid" nor a "sub" claim');
    });
  });
});
