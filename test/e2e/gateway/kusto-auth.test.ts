import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KustoQueryClient } from '../../../src/modules/query/kusto-query.client.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const run = promisify(execFile);
const cli = join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const main = join(repoRoot, 'dist', 'src', 'main.js');

const KQL_TABLE = '.create-merge table Orders (TenantId: string, OrderId: string, TotalAmount: real)\n';
const KQL_FUNCTION = `// How many orders exist, for a public status page.
//
// @expose anonymous cache=0 cost=1
.create-or-alter function with (docstring = 'Total number of orders', folder = 'test')
PublicOrderCount() {
    Orders
    | summarize Orders = count()
}
`;

/** Only the variables given: nothing of the test runner's environment leaks into the processes. */
function processEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  // Should anything still ask for an Entra ID token, only the Azure CLI (absent here) is tried: no network probe.
  return { PATH: process.env.PATH, AZURE_TOKEN_CREDENTIALS: 'AzureCliCredential', ...env };
}

function output(child: ChildProcess): { text: () => string } {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { text: () => text };
}

/**
 * A Kusto endpoint that takes no credentials at an address that is not loopback to kqlgate nor to azure-kusto-data:
 * the embedded engine, run by `kqlgate emulator kusto` on 127.0.0.1, reached as `http://[::ffff:127.0.0.1]:PORT`
 * (the same socket through its IPv4-mapped IPv6 address). To both it is what a Kustainer at `http://kusto:8080` is in
 * docker compose, without needing a name resolved. Everything runs as real processes: the engine, `kqlgate deploy`
 * and the gateway.
 */
describe('KUSTO_AUTH=none: a Kusto endpoint without credentials at any address (real processes)', () => {
  let dir: string;
  let kqlDir: string;
  let engine: ChildProcess;
  let clusterUrl: string;
  let gateway: ChildProcess | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('kusto-auth');
    kqlDir = join(dir, 'kql');
    await mkdir(join(kqlDir, 'tables'), { recursive: true });
    await mkdir(join(kqlDir, 'functions'), { recursive: true });
    await writeFile(join(kqlDir, 'tables', 'orders.kql'), KQL_TABLE);
    await writeFile(join(kqlDir, 'functions', 'PublicOrderCount.kql'), KQL_FUNCTION);

    engine = spawn(
      process.execPath,
      [cli, 'emulator', 'kusto', '--port', '0', '--data-dir', join(dir, 'engine'), '--log-level', 'warn'],
      { env: processEnv({}), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const engineOutput = output(engine);
    const deadline = Date.now() + 60_000;
    let port: string | undefined;
    while (!(port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(engineOutput.text())?.[1])) {
      if (Date.now() > deadline || engine.exitCode !== null) {
        throw new Error(`the engine did not start:\n${engineOutput.text()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    clusterUrl = `http://[::ffff:127.0.0.1]:${port}`;
  });

  afterAll(async () => {
    for (const child of [gateway, engine]) {
      if (child && child.exitCode === null) {
        const exited = new Promise((resolve) => child.on('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
    await removeDir(dir);
  });

  it('should deploy kql/ to KUSTO_CLUSTER_URL / KUSTO_DATABASE without credentials, saying what it used', async () => {
    const { stdout, stderr } = await run(process.execPath, [cli, 'deploy', '--kql', kqlDir], {
      env: processEnv({ KUSTO_CLUSTER_URL: clusterUrl, KUSTO_DATABASE: 'analytics', KUSTO_AUTH: 'none' }),
    });
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toBe(
      `target: cluster ${clusterUrl} (KUSTO_CLUSTER_URL), database analytics (KUSTO_DATABASE), no credentials (KUSTO_AUTH=none)`,
    );
    expect(stdout).toContain(`applied 2 command(s) to ${clusterUrl} / analytics`);
  });

  it('should tell, without KUSTO_AUTH=none, that the SDK refuses the host and what to set', async () => {
    const failed = await run(process.execPath, [cli, 'deploy', '--kql', kqlDir], {
      env: processEnv({ KUSTO_CLUSTER_URL: clusterUrl, KUSTO_DATABASE: 'analytics' }),
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stdout: string }).stdout.split('\n')[0]).toBe(
      `target: cluster ${clusterUrl} (KUSTO_CLUSTER_URL), database analytics (KUSTO_DATABASE), Entra ID (DefaultAzureCredential) (KUSTO_AUTH=auto)`,
    );
    expect((failed as { stderr: string }).stderr).toBe(
      "kqlgate deploy: tables/orders.kql:1:1: create table Orders failed: Can't communicate with '[::ffff:7f00:1]' as this hostname is currently not trusted; please see https://aka.ms/kustotrustedendpoints" +
        ' — for a Kusto endpoint that takes no credentials (a Kustainer, say), set KUSTO_AUTH=none\n',
    );
  });

  it('should be ready and answer a function call with the gateway pointed at it', async () => {
    const client = new KustoQueryClient(clusterUrl, 'analytics', 'none');
    try {
      await client.command('.ingest inline into table Orders <|\nA,a-1,10\nA,a-2,20\nB,b-1,5');
    } finally {
      client.close();
    }
    const port = await freePort();
    gateway = spawn(process.execPath, [main], {
      env: processEnv({
        PORT: String(port),
        DATA_DIR: join(dir, 'gateway'),
        KQL_DIR: kqlDir,
        DEMO_RATE: '0',
        LOG_LEVEL: 'warn',
        KUSTO_CLUSTER_URL: clusterUrl,
        KUSTO_AUTH: 'none',
        SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gatewayOutput = output(gateway);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 120_000;
    let ready: Response | undefined;
    for (;;) {
      try {
        ready = await fetch(`${url}/health/ready`);
        if (ready.status === 200) {
          break;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline || gateway.exitCode !== null) {
        throw new Error(
          `not ready (last: ${ready?.status} ${ready ? await ready.text() : ''}):\n${gatewayOutput.text().slice(-4000)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const call = await fetch(`${url}/api/v1/functions/PublicOrderCount`);
    expect(call.status).toBe(200);
    expect(await call.json()).toMatchObject({ data: [{ Orders: 3 }] });
  });

  it('should stop at start-up on a KUSTO_AUTH it does not know, naming the choices', async () => {
    const failed = await run(process.execPath, [main], {
      env: processEnv({ KUSTO_CLUSTER_URL: clusterUrl, KUSTO_AUTH: 'token', DATA_DIR: join(dir, 'bad') }),
      // Should it start instead of refusing the value, it is stopped rather than left running.
      timeout: 60_000,
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect((failed as { stderr: string }).stderr).toBe(
      'kqlgate: Invalid configuration:\n' +
        '  KUSTO_AUTH="token": must be auto (Entra ID, except for a loopback address such as 127.0.0.1 or localhost), azure (Entra ID through DefaultAzureCredential) or none (no credentials, e.g. a Kustainer at http://kusto:8080)\n',
    );
  });
});
