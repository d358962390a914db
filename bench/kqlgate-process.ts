/**
 * The real app as `npm start` runs it — `node dist/src/main.js` (embedded engine and broker, ingestion, gateway
 * with request logging, audit lines, metrics, request ids, security and rate limit) — as a child process of the
 * benchmark, so a load generator in another process never shares the gateway's event loop. Its stdout and stderr
 * (the JSON log lines at the given LOG_LEVEL) go to a file, a real destination the app writes through pino.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/bench → dist/src/main.js */
const MAIN = resolve(here, '..', 'src', 'main.js');
const READY_TIMEOUT_MS = 180_000;
const POLL_MS = 200;

export interface KqlgateProcess {
  /** http://127.0.0.1:PORT of the gateway. */
  url: string;
  /** http://127.0.0.1:PORT of the embedded Kusto engine. */
  engineUrl: string;
  dataDir: string;
  logFile: string;
  /** The app's process id (for its CPU time). */
  pid: number;
  /** Bytes the app has written to its log so far. */
  logBytes(): Promise<number>;
  /** SIGTERM (graceful shutdown, which also writes a CPU profile when asked for) and removes DATA_DIR. */
  stop(): Promise<void>;
}

export interface KqlgateProcessOptions {
  /** Extra environment (KQL_DIR, LOG_LEVEL, RATE_LIMIT_POINTS …); DEMO_RATE defaults to 0. */
  env: Record<string, string>;
  /** When set, the child runs with `--cpu-prof` and writes its profile into this directory on exit. */
  cpuProfileDir?: string;
}

export async function startKqlgateProcess(options: KqlgateProcessOptions): Promise<KqlgateProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-app-'));
  const port = await freePort();
  const enginePort = await freePort();
  const logFile = join(dataDir, 'kqlgate.log');
  const log = openSync(logFile, 'a');
  const execArgv = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...execArgv, MAIN], {
      cwd: resolve(here, '..', '..'),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        // The suites send ad-hoc GraphQL documents; production would accept only registered ones.
        GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'false',
        DEMO_RATE: '0',
        ...options.env,
        PORT: String(port),
        KUSTO_EMBEDDED_PORT: String(enginePort),
        SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
        DATA_DIR: dataDir,
      },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, child, logFile);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    engineUrl: `http://127.0.0.1:${enginePort}`,
    dataDir,
    logFile,
    pid: child.pid!,
    logBytes: async () => (await stat(logFile)).size,
    stop,
  };
}

async function waitUntilReady(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      const tail = (await readFile(logFile, 'utf8')).slice(-3000);
      throw new Error(`kqlgate exited with code ${child.exitCode} before it was ready:\n${tail}`);
    }
    if (Date.now() - started > READY_TIMEOUT_MS) {
      throw new Error(`kqlgate was not ready within ${READY_TIMEOUT_MS} ms (log: ${logFile})`);
    }
    const ready = await fetch(`${url}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) {
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
