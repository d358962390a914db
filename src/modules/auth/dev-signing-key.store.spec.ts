import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../../test/utils/temp-dir.js';
import { DEV_AUDIENCE, DEV_ISSUER, DevSigningKeyStore } from './dev-signing-key.store.js';
import { JwksSource } from './jwks-source.js';
import { DEFAULT_JWT_ALGORITHMS, JwtVerifier } from './jwt-verifier.js';

describe(DevSigningKeyStore.name, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('devkeys');
  });
  afterAll(() => removeDir(dir));

  it('should create one key under concurrent first use and keep it across instances', async () => {
    const [a, b] = [new DevSigningKeyStore(dir), new DevSigningKeyStore(dir)];
    const [jwksA, jwksB] = await Promise.all([a.publicJwks(), b.publicJwks()]);
    expect(jwksA).toEqual(jwksB);
    expect(jwksA.keys[0]).not.toHaveProperty('d');
    expect(await new DevSigningKeyStore(dir).publicJwks()).toEqual(jwksA);
    expect((await stat(a.path)).mode & 0o777).toBe(0o600);
  });

  it('should sign tokens the verifier accepts with the dev issuer and audience', async () => {
    const store = new DevSigningKeyStore(dir);
    const verifier = new JwtVerifier(JwksSource.local(await store.publicJwks()), {
      issuers: [DEV_ISSUER],
      audiences: [DEV_AUDIENCE],
      algorithms: DEFAULT_JWT_ALGORITHMS,
      clockToleranceSeconds: 30,
    });
    const token = await store.sign({ subject: 'dev', roles: ['analyst'], claims: { tid: 'A' } });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      id: 'dev',
      roles: ['analyst'],
      claims: { tid: 'A' },
    });
  });
});
