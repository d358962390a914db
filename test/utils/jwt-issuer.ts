import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import {
  calculateJwkThumbprint,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';

export interface TestTokenOptions {
  sub?: string;
  roles?: string[];
  scp?: string;
  claims?: Record<string, unknown>;
  issuer?: string;
  audience?: string;
  /** Seconds from now; negative → already expired. */
  expiresIn?: number;
  /** Seconds from now for `nbf`. */
  notBefore?: number;
  /** Seconds from now for `iat` (default -5: just issued). */
  issuedAt?: number;
  kid?: string;
}

/**
 * A throw-away OpenID-style token issuer for tests: an RS256 key pair, its JWKS served over real HTTP on
 * 127.0.0.1 (port 0), and helpers that mint the valid and the deliberately broken tokens of the auth matrix.
 */
export class TestJwtIssuer {
  readonly issuer = 'https://issuer.test/kqlgate/';
  readonly audience = 'api://kqlgate-test';
  private server?: Server;
  jwksUri = '';
  jwksRequests = 0;

  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
    private readonly publicPem: string,
    readonly kid: string,
  ) {}

  static async create(): Promise<TestJwtIssuer> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(jwk);
    return new TestJwtIssuer(
      privateKey,
      { ...jwk, kid, alg: 'RS256', use: 'sig' },
      await exportSPKI(publicKey),
      kid,
    );
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.jwksRequests += 1;
      if (req.url !== '/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [this.publicJwk] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.jwksUri = `http://127.0.0.1:${port}/jwks.json`;
    return this.jwksUri;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  async token(options: TestTokenOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = { ...options.claims };
    if (options.roles) {
      claims.roles = options.roles;
    }
    if (options.scp) {
      claims.scp = options.scp;
    }
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? this.kid, typ: 'JWT' })
      .setSubject(options.sub ?? 'user-1')
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? this.audience)
      .setIssuedAt(now + (options.issuedAt ?? -5))
      .setJti(randomUUID())
      .setExpirationTime(now + (options.expiresIn ?? 600));
    if (options.notBefore !== undefined) {
      jwt.setNotBefore(now + options.notBefore);
    }
    return jwt.sign(this.privateKey);
  }

  /** An unsecured JWT (`alg: none`) with otherwise valid claims. */
  unsignedToken(options: TestTokenOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'none', typ: 'JWT' };
    const payload = this.payload(options, now);
    return `${b64(header)}.${b64(payload)}.`;
  }

  /** The classic key-confusion attack: HS256 with the RSA public key (PEM) as the HMAC secret. */
  hs256WithPublicKey(options: TestTokenOptions = {}): string {
    const now = Math.floor(Date.now() / 1000);
    const signingInput = `${b64({ alg: 'HS256', kid: this.kid, typ: 'JWT' })}.${b64(this.payload(options, now))}`;
    const signature = createHmac('sha256', this.publicPem).update(signingInput).digest('base64url');
    return `${signingInput}.${signature}`;
  }

  /** A valid token whose payload was then edited (roles escalated), keeping the original signature. */
  async tamperedToken(options: TestTokenOptions = {}): Promise<string> {
    const [header, payload, signature] = (await this.token(options)).split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims.roles = ['admin', 'analyst', 'partner'];
    return `${header}.${b64(claims)}.${signature}`;
  }

  private payload(options: TestTokenOptions, now: number): Record<string, unknown> {
    return {
      ...options.claims,
      ...(options.roles ? { roles: options.roles } : {}),
      sub: options.sub ?? 'user-1',
      iss: options.issuer ?? this.issuer,
      aud: options.audience ?? this.audience,
      iat: now - 5,
      exp: now + (options.expiresIn ?? 600),
    };
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
