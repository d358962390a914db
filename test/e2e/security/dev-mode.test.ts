import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerTokenCommand } from '../../../src/cli/commands/token.command.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { startStandInApp, type StandInApp } from './stand-in-gateway.js';

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

describe('dev mode (embedded stack, no JWKS_URI)', () => {
  let dir: string;
  let gateway: StandInApp;

  beforeAll(async () => {
    dir = await tempDir('devmode');
  });
  afterAll(async () => {
    await gateway?.app.close();
    await removeDir(dir);
  });

  it('should verify tokens minted by `kqlgate token` and serve the dev JWKS', async () => {
    const token = (
      await kqlgateToken(['--sub', 'dana', '--role', 'analyst', '--claim', 'tid=A'], { DATA_DIR: dir })
    ).trim();
    expect(token.split('.')).toHaveLength(3);

    const keyFile = join(dir, 'keys.yaml');
    const printed = await kqlgateToken(
      ['--new-api-key', 'partner-1', '--role', 'support', '--claim', 'tid=B'],
      {
        DATA_DIR: dir,
      },
    );
    const apiKey = /^ {2}(kqg_partner-1_[0-9a-f]{64})$/m.exec(printed)![1];
    const entries = parseYaml(
      printed.split('Add this entry under "keys:" in API_KEYS_FILE:\n')[1],
    ) as unknown[];
    await writeFile(keyFile, JSON.stringify({ keys: entries }));

    gateway = await startStandInApp({
      DATA_DIR: dir,
      KQL_DIR: resolve(import.meta.dirname, '../../../kql'),
      API_KEYS_FILE: keyFile,
      LOG_LEVEL: 'silent',
    });
    const jwks = (await (await fetch(`${gateway.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string; d?: string }[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].d).toBeUndefined();
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid).toBe(jwks.keys[0].kid);

    const asDana = await fetch(`${gateway.url}/api/v1/functions/TenantOrders`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(asDana.status).toBe(200);
    expect(await asDana.json()).toMatchObject({ data: [{ TenantId: 'A' }] });

    const asPartner = await fetch(`${gateway.url}/api/v1/functions/TenantOrders`, {
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
