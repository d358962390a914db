import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { freePort } from '../../utils/free-port.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

function collect(child: ChildProcess): Promise<Exit> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

async function waitForLive(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become live within ${timeoutMs} ms`);
}

describe('kqlgate process', () => {
  let dataDir: string;
  const main = join(repoRoot, 'dist', 'src', 'main.js');
  let ports: { kusto: number; servicebus: number };
  // The whole runtime as `npm start` runs it, minus demo traffic, on free ports and a temp data dir.
  const baseEnv = (): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    DEMO_RATE: '0',
    LOG_LEVEL: 'info',
    KUSTO_EMBEDDED_PORT: String(ports.kusto),
    SERVICEBUS_EMBEDDED_PORT: String(ports.servicebus),
  });

  beforeAll(async () => {
    await ensureBuilt();
    dataDir = await tempDir('lifecycle');
    ports = { kusto: await freePort(), servicebus: await freePort() };
  });

  afterAll(async () => {
    await removeDir(dataDir);
  });

  // A test that fails before its child exits (a start-up slower than the wait) must not leave it running.
  const children = new Set<ChildProcess>();
  afterEach(() => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    }
    children.clear();
  });

  it('should exit 1 with one line naming a bad variable, its value and what is allowed', async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...baseEnv(), KUSTO_INGEST_MODE: 'sometimes', PORT: 'http' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const exit = await collect(child);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('kqlgate: Invalid configuration:');
    expect(exit.stderr).toContain('  PORT="http": must be an integer port number between 0 and 65535\n');
    expect(exit.stderr).toContain(
      '  KUSTO_INGEST_MODE="sometimes": must be one of streaming, queued, managed\n',
    );
    expect(exit.stdout).toBe('');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('should exit 0 within the shutdown bound on %s', async (signal) => {
    const port = await freePort();
    const child = spawn(process.execPath, [main], {
      env: { ...baseEnv(), PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const exited = collect(child);
    // A hang guard: start-up took over 30 s on a 2-core machine under a load of 16.
    await waitForLive(`http://127.0.0.1:${port}/health/live`, 120_000);
    child.kill(signal);
    const signalledAt = Date.now();
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    expect(exit.stdout).toContain('"msg":"shutdown complete"');
    // After exit, nothing listens any more.
    await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });

  it('should stop starting on a SIGINT during start-up: exit 0 without warnings, nothing more started', async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...baseEnv(), PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const exited = collect(child);
    // The engine is up and the storage deploy is under way: the rest of the start-up is still to come.
    let seen = '';
    await new Promise<void>((resolveReady, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('"msg":"embedded Kusto engine ready"')) {
          resolveReady();
        }
      });
      child.once('exit', () => reject(new Error(`exited before the engine was ready:\n${seen}`)));
    });
    child.kill('SIGINT');
    const exit = await exited;
    expect(exit.code).toBe(0);
    const lines = exit.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string; step?: string });
    const afterSignal = lines.slice(lines.findIndex((line) => line.msg === 'shutting down'));
    // Before: "could not create storage ahead of the catalog" and "the catalog analysis thread stopped;
    // analyzing kql/ in the main thread" (warnings, and Kusto.Language loaded again for nothing).
    expect(afterSignal.filter((line) => line.level >= 40)).toEqual([]);
    expect(afterSignal.map((line) => line.msg)).toContain('start-up interrupted by the shutdown');
    expect(exit.stdout).not.toContain('kqlgate listening on');
    expect(exit.stdout).toContain('"msg":"shutdown complete"');
    expect(exit.stderr).toBe('');
  });

  it('should end a start that waits on an unreachable engine at SIGINT: exit 0 within the shutdown timeout', async () => {
    // The ingestion role checks its routes' tables before it is ready, retrying an engine that does not answer for
    // INGEST_UNREACHABLE_THRESHOLD_MS (here far longer than the shutdown may take): the start is still in progress.
    const closedPort = await freePort();
    const child = spawn(process.execPath, [main], {
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        PORT: String(await freePort()),
        KQLGATE_ROLE: 'ingestion',
        KUSTO_CLUSTER_URL: `http://127.0.0.1:${closedPort}`,
        SERVICEBUS_CONNECTION_STRING: `Endpoint=sb://127.0.0.1:${ports.servicebus};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true`,
        INGEST_UNREACHABLE_THRESHOLD_MS: '600000',
        SHUTDOWN_TIMEOUT_MS: '5000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const exited = collect(child);
    // Its first line (the unreachable broker, the unanswered check) says the ingestion's start is under way.
    await new Promise<void>((resolveStarting, reject) => {
      child.stdout.once('data', () => resolveStarting());
      child.once('exit', () => reject(new Error('exited before its start-up began')));
    });
    child.kill('SIGINT');
    const exit = await exited;
    const lines = exit.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; closer?: string });
    // Before: the shutdown waited for the start to finish, timed out after SHUTDOWN_TIMEOUT_MS and exited 1.
    expect(exit.stdout).not.toContain('shutdown timed out');
    expect(exit.code).toBe(0);
    expect(lines.map((line) => line.msg)).toContain('start-up interrupted by the shutdown');
    // What was started closed, last first; the gateway, which needs the ingestion, never started.
    expect(lines.filter((line) => line.msg === 'closed').map((line) => line.closer)).toEqual([
      'gateway',
      'ingestion',
    ]);
    expect(exit.stdout).not.toContain('"msg":"ingestion ready"');
    expect(exit.stdout).not.toContain('kqlgate listening on');
    expect(exit.stdout).toContain('"msg":"shutdown complete"');
  });

  it('should print the CLI help with its subcommands', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'kqlgate.js'), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    const exit = await collect(child);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('Usage: kqlgate [options] [command]');
  });
});
