import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
} from 'jose';

/** Issuer and audience of dev tokens when JWT_ISSUER / JWT_AUDIENCE are not set. */
export const DEV_ISSUER = 'urn:kqlgate:dev';
export const DEV_AUDIENCE = 'kqlgate';
export const DEV_ALGORITHM = 'ES256';

export interface DevTokenRequest {
  readonly subject: string;
  readonly roles?: readonly string[];
  readonly scopes?: readonly string[];
  readonly claims?: Readonly<Record<string, unknown>>;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresInSeconds?: number;
}

/**
 * The dev-mode signing key (embedded stack only): an ES256 key pair created on first use and kept in
 * `DATA_DIR/dev-keys/signing-key.json` (mode 0600), so that tokens printed by `kqlgate token` keep working across
 * restarts and the gateway, which serves the public half at `/.well-known/jwks.json`, agrees with the CLI.
 */
export class DevSigningKeyStore {
  private loaded?: Promise<{ privateKey: CryptoKey; publicJwk: JWK; kid: string }>;

  constructor(private readonly dataDir: string) {}

  get path(): string {
    return join(this.dataDir, 'dev-keys', 'signing-key.json');
  }

  async publicJwks(): Promise<JSONWebKeySet> {
    const { publicJwk } = await this.load();
    return { keys: [publicJwk] };
  }

  async sign(request: DevTokenRequest): Promise<string> {
    const { privateKey, kid } = await this.load();
    const claims: Record<string, unknown> = { ...request.claims };
    if (request.roles && request.roles.length > 0) {
      claims.roles = [...request.roles];
    }
    if (request.scopes && request.scopes.length > 0) {
      claims.scp = request.scopes.join(' ');
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: DEV_ALGORITHM, kid, typ: 'JWT' })
      .setSubject(request.subject)
      .setIssuer(request.issuer ?? DEV_ISSUER)
      .setAudience(request.audience ?? DEV_AUDIENCE)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${request.expiresInSeconds ?? 3600}s`)
      .sign(privateKey);
  }

  private load() {
    this.loaded ??= this.loadOrCreate();
    return this.loaded;
  }

  private async loadOrCreate() {
    let privateJwk = await this.read();
    if (!privateJwk) {
      const { privateKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
      const jwk = await exportJWK(privateKey);
      const created: JWK = { ...jwk, alg: DEV_ALGORITHM, use: 'sig', kid: await calculateJwkThumbprint(jwk) };
      await mkdir(join(this.dataDir, 'dev-keys'), { recursive: true, mode: 0o700 });
      // Written aside then hard-linked into place: if the gateway and `kqlgate token` race on first use, exactly
      // one complete key wins (link fails with EEXIST for the other) and nobody reads a half-written file.
      const temporary = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
      await writeFile(temporary, JSON.stringify(created, null, 2), { mode: 0o600 });
      try {
        await link(temporary, this.path);
        privateJwk = created;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
        privateJwk = await this.read();
      } finally {
        await unlink(temporary);
      }
    }
    if (!privateJwk?.d || !privateJwk.kid) {
      throw new Error(
        `${this.path} is not an ${DEV_ALGORITHM} private JWK with a kid; delete it to create a new dev key`,
      );
    }
    const { d: _d, ...publicJwk } = privateJwk;
    const privateKey = (await importJWK(privateJwk, DEV_ALGORITHM)) as CryptoKey;
    return { privateKey, publicJwk, kid: privateJwk.kid };
  }

  private async read(): Promise<JWK | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
    try {
      return JSON.parse(text) as JWK;
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON; delete it to create a new dev key`, { cause: error });
    }
  }
}
