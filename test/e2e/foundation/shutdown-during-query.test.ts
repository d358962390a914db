import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Client as KustoClient } from 'azure-kusto-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevSigningKeyStore } from '../../../src/modules/auth/dev-signing-key.store.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { kqlWithTestFunctions, runningQueryIds, waitUntil } from '../../utils/slow-functions.js';

interface Exit {
  code: number | null;
  stdout: string;
}

function collect(child: ChildProcess): Promise<Exit> {
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.resume();
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

/**
 * `npm start` as a process, SIGTERM while a long query runs: the gateway cancels the engine query (after a short
 * grace for calls about to finish) and the engine stops what still runs, so the process exits promptly and cleanly.
 * Before, the gateway waited for the query (60 s timeout), the shutdown timed out at 30 s, and process.exit then
 * hung while DuckDB still worked in the thread pool.
 */
describe('shutdown during a long query', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('shutdown-query');
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
    }
    await removeDir(dir);
  });

  it('should cancel the query, answer it 503 and exit 0 within seconds of SIGTERM', async () => {
    const port = await freePort();
    const kustoPort = await freePort();
    const dataDir = join(dir, 'data');
    child = spawn(process.execPath, [join(repoRoot, 'dist', 'src', 'main.js')], {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        KQL_DIR: await kqlWithTestFunctions(dir),
        DEMO_RATE: '0',
        LOG_LEVEL: 'info',
        PORT: String(port),
        KUSTO_EMBEDDED_PORT: String(kustoPort),
        SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = collect(child);
    const base = `http://127.0.0.1:${port}`;
    await waitUntil(
      async () => (await fetch(`${base}/health/ready`).catch(() => undefined))?.status === 200,
      120_000,
      'kqlgate did not become ready',
    );
    const token = await new DevSigningKeyStore(dataDir).sign({ subject: 'planner', roles: ['analyst'] });
    const engine = new KustoClient(`Data Source=http://127.0.0.1:${kustoPort};Initial Catalog=analytics`);
    try {
      const answer = fetch(`${base}/api/v1/functions/Endless`, {
        headers: { authorization: `Bearer ${token}` },
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
      await waitUntil(
        async () => (await runningQueryIds(engine)).some((id) => id.startsWith('kqlgate.Endless;')),
        30_000,
        'the engine query did not start',
      );
      child.kill('SIGTERM');
      const signalledAt = Date.now();
      const exit = await exited;
      // Generous: 2 s of grace for calls in flight, then seconds to close; before, over 30 s and exit 1.
      expect(Date.now() - signalledAt).toBeLessThan(15_000);
      expect(exit.code).toBe(0);
      expect(exit.stdout).toContain('"msg":"shutdown complete"');
      expect(await answer).toEqual({
        status: 503,
        body: {
          type: 'https://kqlgate.dev/problems/query-engine-unavailable',
          title: 'kqlgate is shutting down; the call was cancelled, retry it',
          status: 503,
          code: 'QUERY_ENGINE_UNAVAILABLE',
        },
      });
    } finally {
      engine.close();
    }
  });
});
