import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerTokenCommand } from '../../../src/cli/commands/token.command.js';
import { generateApiKey, hashApiKey } from '../../../src/modules/auth/api-key-hasher.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startCountingGateway, type CountingGateway } from './real-gateway.js';

/** Runs `kqlgate token …` in-process (same code path as the CLI) and returns what it printed. */
async function kqlgateToken(args: string[], env: Record<string, string>): Promise<string> {
  const saved = { ...process.env };
  delete process.env.KUSTO_CLUSTER_URL;
  delete process.env.JWKS_URI;
  Object.assign(process.env, env);
  const output: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
  try {
    const program = new Command('kqlgate').exitOverride();
    registerTokenCommand(program);
    await program.parseAsync(['token', ...args], { from: 'user' });
  } finally {
    spy.mockRestore();
    process.env = saved;
  }
  return output.join('');
}

async function seed(gateway: CountingGateway): Promise<void> {
  await ingestInline(gateway, 'Orders', ['A,a-1,10', 'B,b-1,30']);
  await ingestInline(gateway, 'Payments', ['A,p-1,5', 'B,q-1,6']);
}

describe('partner API keys on the real gateway', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: CountingGateway;
  let apiKey: string;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('security-api-keys');
    apiKey = generateApiKey('acme');
    const keysFile = join(dir, 'api-keys.yaml');
    await writeFile(
      keysFile,
      `keys:\n  - id: acme\n    hash: ${hashApiKey(apiKey)}\n    roles: [support]\n    claims: { tid: B }\n`,
    );
    gateway = await startCountingGateway(dir, {
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      API_KEYS_FILE: keysFile,
    });
    await seed(gateway);
  });
  afterAll(async () => {
    await gateway?.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  it('should accept a key in X-API-Key or Authorization with its bound tenant, and refuse a wrong one', async () => {
    const ways: Record<string, string>[] = [{ 'x-api-key': apiKey }, { authorization: `ApiKey ${apiKey}` }];
    for (const headers of ways) {
      const ok = await fetch(`${gateway.url}/api/v1/functions/TenantOrderList`, { headers });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ data: [{ OrderId: 'b-1', TenantId: 'B' }] });
    }
    const wrong = await fetch(`${gateway.url}/api/v1/functions/TenantOrderList`, {
      headers: { 'x-api-key': generateApiKey('acme') },
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ code: 'AUTH_INVALID_API_KEY', title: 'API key is not valid' });
  });

  it('should refuse a key whose roles do not cover the function with 403', async () => {
    const response = await fetch(`${gateway.url}/api/v1/functions/TenantPayments`, {
      headers: { 'x-api-key': apiKey },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'AUTH_FORBIDDEN' });
  });
});

describe('engine concurrency cap on the real gateway', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: CountingGateway;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('security-busy');
    gateway = await startCountingGateway(dir, {
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
      ENGINE_MAX_CONCURRENCY: '1',
      ENGINE_QUEUE_LIMIT: '1',
    });
    await seed(gateway);
  });
  afterEach(() => {
    gateway.kusto.delayMs = 0;
  });
  afterAll(async () => {
    await gateway?.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  it('should queue one query and answer 503 with Retry-After beyond the queue, losing no admitted call', async () => {
    const headers = {
      authorization: `Bearer ${await issuer.token({ roles: ['analyst'], claims: { tid: 'A' } })}`,
    };
    // Distinct parameters so that neither the cache nor coalescing can answer the later calls.
    const call = (minAmount: number) =>
      fetch(`${gateway.url}/api/v1/functions/TenantOrderList?minAmount=${minAmount}`, { headers });
    // Long enough that every call below arrives while the first engine query still holds the only slot.
    gateway.kusto.delayMs = 1500;
    const before = gateway.kusto.queries;
    const running = call(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const queued = call(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await call(3);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({
      code: 'ENGINE_BUSY',
      title: 'the query engine is saturated (1 queries running, 1 waiting); retry shortly',
    });
    expect((await running).status).toBe(200);
    expect(await (await queued).json()).toMatchObject({ data: [{ OrderId: 'a-1' }] });
    expect(gateway.kusto.queries - before).toBe(2);
  });
});

describe('dev mode on the real gateway (embedded stack, no JWKS_URI)', () => {
  let dir: string;
  let gateway: CountingGateway | undefined;

  beforeAll(async () => {
    dir = await tempDir('devmode');
  });
  afterAll(async () => {
    await gateway?.close();
    await removeDir(dir);
  });

  it('should verify tokens and API keys minted by `kqlgate token` and serve the dev JWKS', async () => {
    const token = (
      await kqlgateToken(['--sub', 'dana', '--role', 'analyst', '--claim', 'tid=A'], { DATA_DIR: dir })
    ).trim();
    expect(token.split('.')).toHaveLength(3);

    const printed = await kqlgateToken(
      ['--new-api-key', 'partner-1', '--role', 'support', '--claim', 'tid=B'],
      { DATA_DIR: dir },
    );
    const apiKey = /^ {2}(kqg_partner-1_[0-9a-f]{64})$/m.exec(printed)?.[1];
    expect(apiKey).toBeDefined();
    const entries = parseYaml(
      printed.split('Add this entry under "keys:" in API_KEYS_FILE:\n')[1],
    ) as unknown[];
    // The new format: a SHA-256 of the 256-bit key, cheap to check (a wrong key costs no scrypt).
    expect(entries).toEqual([
      {
        id: 'partner-1',
        hash: expect.stringMatching(/^sha256\$[\w-]{43}$/),
        roles: ['support'],
        claims: { tid: 'B' },
      },
    ]);
    const keyFile = join(dir, 'keys.json');
    await writeFile(keyFile, JSON.stringify({ keys: entries }));

    gateway = await startCountingGateway(dir, { API_KEYS_FILE: keyFile });
    await seed(gateway);
    const jwks = (await (await fetch(`${gateway.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].d).toBeUndefined();
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid).toBe(jwks.keys[0].kid);

    const asDana = await fetch(`${gateway.url}/api/v1/functions/TenantOrderList`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asDana.status).toBe(200);
    expect(await asDana.json()).toMatchObject({ data: [{ TenantId: 'A' }] });

    const asPartner = await fetch(`${gateway.url}/api/v1/functions/TenantOrderList`, {
      headers: { authorization: `ApiKey ${apiKey}` },
    });
    expect(asPartner.status).toBe(200);
    expect(await asPartner.json()).toMatchObject({ data: [{ TenantId: 'B' }] });
  });

  it('should refuse to mint dev tokens against a real cluster', async () => {
    await expect(
      kqlgateToken(['--sub', 'x'], {
        DATA_DIR: dir,
        KUSTO_CLUSTER_URL: 'https://c.westeurope.kusto.windows.net',
      }),
    ).rejects.toThrow(
      'dev tokens exist only with the embedded stack: KUSTO_CLUSTER_URL is set, so get tokens from your identity provider (Entra ID)',
    );
  });
});
