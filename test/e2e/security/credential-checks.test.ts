import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateApiKey,
  hashApiKey,
  legacyScryptApiKeyHash,
} from '../../../src/modules/auth/api-key-hasher.js';
import { httpFrom, nextClientAddress, type HttpFromInit } from '../../utils/http-from.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startRealGateway, type RealGateway } from './real-gateway.js';

const ANONYMOUS_CHALLENGE = 'Bearer realm="kqlgate", ApiKey realm="kqlgate"';
const AUTH_FAILURE_LIMIT = 3;

/**
 * How credentials are checked on the real gateway (REST + GraphQL + the auth module over the embedded engine):
 * the failed-authentication limit per client address, the one-credential rule, `iat`, and authentication before
 * any other answer about the request. Each request comes from its own loopback address unless a test reuses one
 * on purpose, so failures only add up where a test means them to.
 */
describe('credential checks on the real gateway', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: RealGateway;
  const acmeKey = generateApiKey('acme');
  const legacyKey = generateApiKey('old-partner');

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('credential-checks');
    const keysFile = join(dir, 'api-keys.yaml');
    await writeFile(
      keysFile,
      [
        'keys:',
        '  - id: acme',
        `    hash: ${hashApiKey(acmeKey)}`,
        '    roles: [support]',
        '    claims: { tid: B }',
        '  - id: old-partner',
        `    hash: ${await legacyScryptApiKeyHash(legacyKey)}`,
        '    roles: [support]',
        '    claims: { tid: A }',
        '',
      ].join('\n'),
    );
    gateway = await startRealGateway(dir, {
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      API_KEYS_FILE: keysFile,
      AUTH_FAILURE_LIMIT: String(AUTH_FAILURE_LIMIT),
    });
    await ingestInline(gateway, 'Orders', ['A,a-1,10', 'B,b-1,30']);
  });
  afterAll(async () => {
    await gateway?.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  const rest = (path: string, init: HttpFromInit = {}, from = nextClientAddress()) =>
    httpFrom(from, `${gateway.url}/api/v1/functions/${path}`, init);
  const graphql = (query: string, headers: Record<string, string>, from = nextClientAddress()) =>
    httpFrom(from, `${gateway.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
  const bearer = async (roles = ['analyst']) => ({
    authorization: `Bearer ${await issuer.token({ roles, claims: { tid: 'A' } })}`,
  });

  describe('failed authentications per client address', () => {
    it('should stop checking credentials from an address after the limit, answering 429, and keep others served', async () => {
      const attacker = nextClientAddress();
      // The address's window (AUTH_FAILURE_WINDOW_SECONDS, 60 s) opens with its first check, not before this.
      const windowOpenedAfter = Date.now();
      const remembered = await rest('TenantOrderList', { headers: { 'x-api-key': acmeKey } }, attacker);
      expect(remembered.status).toBe(200);
      // Wrong secrets for the id hashed with scrypt: each of these costs a full scrypt, so only the limit bounds them.
      for (let i = 0; i < AUTH_FAILURE_LIMIT; i += 1) {
        const wrong = await rest(
          'TenantOrderList',
          { headers: { 'x-api-key': generateApiKey('old-partner') } },
          attacker,
        );
        expect(wrong.status).toBe(401);
        expect(wrong.json()).toMatchObject({ code: 'AUTH_INVALID_API_KEY', title: 'API key is not valid' });
      }

      const refused = await rest(
        'TenantOrderList',
        { headers: { 'x-api-key': generateApiKey('old-partner') } },
        attacker,
      );
      expect(refused.status).toBe(429);
      // What is left of the window: the scrypt checks above took seconds on a loaded machine (17 s at a load of 18).
      const elapsedSeconds = Math.floor((Date.now() - windowOpenedAfter) / 1000);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(60 - elapsedSeconds);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.headers['www-authenticate']).toBeUndefined();
      expect(refused.json()).toEqual({
        type: 'https://kqlgate.dev/problems/auth-too-many-failures',
        status: 429,
        code: 'AUTH_TOO_MANY_FAILURES',
        title: `too many failed authentications from this address; credentials are not checked for ${retryAfter} s`,
        retryAfterSeconds: retryAfter,
      });
      // Valid credentials this replica has not accepted yet are refused unchecked as well, on both edges.
      expect((await rest('TenantOrderList', { headers: { 'x-api-key': legacyKey } }, attacker)).status).toBe(
        429,
      );
      const viaGraphql = await graphql('{ TenantOrderList { OrderId } }', await bearer(), attacker);
      expect(viaGraphql.status).toBe(429);
      expect(viaGraphql.json()).toMatchObject({
        errors: [{ extensions: { code: 'AUTH_TOO_MANY_FAILURES', status: 429 } }],
      });
      // A key this replica already accepted costs no check, so it keeps working from that address.
      const stillServed = await rest('TenantOrderList', { headers: { 'x-api-key': acmeKey } }, attacker);
      expect(stillServed.status).toBe(200);
      expect(stillServed.json()).toMatchObject({ data: [{ OrderId: 'b-1' }] });

      const other = nextClientAddress();
      const legacyOk = await rest('TenantOrderList', { headers: { 'x-api-key': legacyKey } }, other);
      expect(legacyOk.status).toBe(200);
      expect(legacyOk.json()).toMatchObject({ data: [{ OrderId: 'a-1' }] });
      const wrongElsewhere = await rest(
        'TenantOrderList',
        { headers: { 'x-api-key': generateApiKey('acme') } },
        other,
      );
      expect(wrongElsewhere.status).toBe(401);
    });

    it('should answer an unknown key id exactly as a wrong secret for an existing one', async () => {
      const unknown = await rest('TenantOrderList', { headers: { 'x-api-key': generateApiKey('nobody') } });
      const wrongSecret = await rest('TenantOrderList', { headers: { 'x-api-key': generateApiKey('acme') } });
      expect([unknown.status, wrongSecret.status]).toEqual([401, 401]);
      expect(unknown.headers['www-authenticate']).toBe(wrongSecret.headers['www-authenticate']);
      expect(unknown.json()).toEqual({ ...wrongSecret.json(), keyId: 'nobody' });
    });
  });

  describe('one credential per request', () => {
    const challenge =
      'Bearer realm="kqlgate", error="invalid_request", error_description="send one credential: both X-API-Key and Authorization were sent"';

    it('should refuse a valid API key sent with an invalid bearer token, on REST and GraphQL', async () => {
      const headers = { 'x-api-key': acmeKey, authorization: 'Bearer not-a-token' };
      const viaRest = await rest('TenantOrderList', { headers });
      expect(viaRest.status).toBe(401);
      expect(viaRest.headers['www-authenticate']).toBe(challenge);
      expect(viaRest.json()).toEqual({
        type: 'https://kqlgate.dev/problems/auth-multiple-credentials',
        status: 401,
        code: 'AUTH_MULTIPLE_CREDENTIALS',
        title: 'send one credential: both X-API-Key and Authorization were sent',
      });
      const viaGraphql = await graphql('{ TenantOrderList { OrderId } }', headers);
      expect(viaGraphql.status).toBe(401);
      expect(viaGraphql.headers['www-authenticate']).toBe(challenge);
    });

    it('should refuse two credentials even when both are valid', async () => {
      const response = await rest('TenantOrderList', {
        headers: { 'x-api-key': acmeKey, ...(await bearer()) },
      });
      expect(response.status).toBe(401);
      expect(response.json()).toMatchObject({ code: 'AUTH_MULTIPLE_CREDENTIALS' });
    });
  });

  describe('iat', () => {
    it('should refuse a token issued a day in the future, on REST and GraphQL', async () => {
      const headers = {
        authorization: `Bearer ${await issuer.token({ roles: ['analyst'], claims: { tid: 'A' }, issuedAt: 86_400 })}`,
      };
      const viaRest = await rest('TenantOrderList', { headers });
      expect(viaRest.status).toBe(401);
      const title = viaRest.json<{ title: string }>().title;
      // The token is signed a day ahead, and the clock may tick between signing and checking: the lead is a day
      // or up to a few seconds less, never more.
      const lead =
        /^token is issued in the future \(iat \d+ is (\d+) s ahead; 60 s of clock skew tolerated\)$/.exec(
          title,
        );
      expect(Number(lead?.[1])).toBeGreaterThan(86_390);
      expect(Number(lead?.[1])).toBeLessThanOrEqual(86_400);
      expect(viaRest.headers['www-authenticate']).toBe(
        `Bearer realm="kqlgate", error="invalid_token", error_description="${title}"`,
      );
      const viaGraphql = await graphql('{ TenantOrderList { OrderId } }', headers);
      expect(viaGraphql.status).toBe(401);
      expect(viaGraphql.json()).toMatchObject({
        errors: [{ message: expect.stringMatching(/^token is issued in the future/) }],
      });
    });
  });

  describe('authentication comes first', () => {
    const badToken = { authorization: 'Bearer not-a-token' };
    const badTokenBody = {
      type: 'https://kqlgate.dev/problems/auth-invalid-token',
      status: 401,
      code: 'AUTH_INVALID_TOKEN',
      title: 'token is malformed: Invalid Compact JWS',
      reason: 'ERR_JWS_INVALID',
    };

    it('should answer 401 to a bad token whatever else is wrong with the request', async () => {
      const cases: [string, HttpFromInit][] = [
        ['TenantOrderList', { headers: { ...badToken, accept: 'application/xml' } }],
        ['TenantOrderList?minAmount=1&minAmount=2', { headers: badToken }],
        ['TenantOrderList?minAmount=lots', { headers: badToken }],
        [
          'TenantOrderList',
          {
            method: 'POST',
            headers: { ...badToken, 'content-type': 'application/json' },
            body: '{"minAmount":',
          },
        ],
        ['NoSuchFunction', { headers: badToken }],
      ];
      for (const [path, init] of cases) {
        const response = await rest(path, init);
        expect([path, init.method ?? 'GET', response.status]).toEqual([path, init.method ?? 'GET', 401]);
        expect(response.json()).toEqual(badTokenBody);
      }
    });

    it('should answer 401 to an anonymous caller of a function that needs one, before 406 and 400', async () => {
      for (const [path, headers] of [
        ['TenantOrderList', { accept: 'application/xml' }],
        ['TenantOrderList?minAmount=1&minAmount=2', {}],
      ] as const) {
        const response = await rest(path, { headers });
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe(ANONYMOUS_CHALLENGE);
        expect(response.json()).toMatchObject({ code: 'AUTH_UNAUTHENTICATED', function: 'TenantOrderList' });
      }
    });

    it('should answer 403 to a caller without the role before looking at its parameters', async () => {
      const response = await rest('TenantOrderList?minAmount=1&minAmount=2', {
        headers: await bearer(['marketing']),
      });
      expect(response.status).toBe(403);
      expect(response.json()).toMatchObject({
        code: 'AUTH_FORBIDDEN',
        title: 'function TenantOrderList requires one of: role analyst, role support',
      });
    });

    it('should still answer 406 and 400 to a caller who may call the function', async () => {
      const notAcceptable = await rest('PublicOrderCount', { headers: { accept: 'application/xml' } });
      expect(notAcceptable.status).toBe(406);
      expect(notAcceptable.json()).toMatchObject({ code: 'REST_NOT_ACCEPTABLE' });
      const repeated = await rest('TenantOrderList?minAmount=1&minAmount=2', { headers: await bearer() });
      expect(repeated.status).toBe(400);
      expect(repeated.json()).toMatchObject({
        code: 'QUERY_INVALID_PARAMETERS',
        parameters: [{ parameter: 'minAmount', message: 'was given more than once' }],
      });
    });
  });
});

describe('dev-mode token errors on the real gateway', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: RealGateway;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    dir = await tempDir('credential-checks-dev');
    gateway = await startRealGateway(dir, {});
  });
  afterAll(async () => {
    await gateway?.close();
    await removeDir(dir);
  });

  it('should refuse a token of an unknown kid without naming the dev key file', async () => {
    const response = await httpFrom(nextClientAddress(), `${gateway.url}/api/v1/functions/TenantOrderList`, {
      headers: {
        authorization: `Bearer ${await issuer.token({ issuer: 'urn:kqlgate:dev', audience: 'kqlgate' })}`,
      },
    });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      `Bearer realm="kqlgate", error="invalid_token", error_description="token key id (kid) is not one of the issuer's signing keys"`,
    );
    expect(response.json()).toEqual({
      type: 'https://kqlgate.dev/problems/auth-invalid-token',
      status: 401,
      code: 'AUTH_INVALID_TOKEN',
      title: "token key id (kid) is not one of the issuer's signing keys",
      reason: 'ERR_JWKS_NO_MATCHING_KEY',
    });
    expect(response.text).not.toContain(dir);
  });
});
