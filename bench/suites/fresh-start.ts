/**
 * One fresh `npm start` as a newcomer sees it: `npm start` itself (npm, the build check, then the app, in that
 * process) as a child process with a new DATA_DIR, free ports and the default demo settings. Times are from
 * spawning npm, on this process's clock:
 *  - listening: the gateway's `kqlgate listening on …` log line;
 *  - first ingested: ingestion's `first event ingested after …` line;
 *  - banner data: the banner's REST example (its first `curl`) and its GraphQL example both answer with rows;
 *  - restart listening: after that one stopped, a second `npm start` on the same DATA_DIR, to its listening line.
 * Used by the `demo` bench suite (medians of several starts); not a test.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export interface FreshStartTimes {
  listeningMs: number;
  firstIngestedMs: number;
  bannerDataMs: number;
  /** A second `npm start` on the DATA_DIR the first one left (kql/ unchanged): spawn → listening. */
  restartListeningMs: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** dist/bench/suites → the repository root, where `npm start` runs. */
const ROOT = resolve(here, '..', '..', '..');
const POLL_MS = 200;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface BannerCalls {
  token: string;
  restUrl: string;
  graphqlUrl: string;
  graphqlBody: string;
}

/** The dev token and the REST + GraphQL example calls, once the whole banner is on stdout. */
function parseBanner(output: string): BannerCalls | undefined {
  const token = /export TOKEN=(\S+)/.exec(output)?.[1];
  const calls = output.split('\n').filter((line) => line.trim().startsWith('curl -s'));
  if (!token || calls.length < 3) {
    return undefined;
  }
  const restUrl = /'(http:\/\/\S+\/api\/v1\/functions\/\S+)'$/.exec(calls[0])?.[1];
  const graphql = /(http:\/\/\S+\/graphql) -d '(.*)'$/.exec(calls[2]);
  if (!restUrl || !graphql) {
    throw new Error(`unexpected banner example calls:\n${calls.join('\n')}`);
  }
  return { token, restUrl, graphqlUrl: graphql[1], graphqlBody: graphql[2] };
}

async function bannerCallsHaveRows(calls: BannerCalls): Promise<boolean> {
  const headers = { authorization: `Bearer ${calls.token}` };
  const rest = await fetch(calls.restUrl, { headers });
  if (!rest.ok) {
    return false;
  }
  const restRows = ((await rest.json()) as { data?: unknown[] }).data ?? [];
  if (restRows.length === 0) {
    return false;
  }
  const gql = await fetch(calls.graphqlUrl, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: calls.graphqlBody,
  });
  const body = (await gql.json()) as { data?: Record<string, unknown[] | null> };
  return Object.values(body.data ?? {}).some((rows) => Array.isArray(rows) && rows.length > 0);
}

interface NpmStart {
  started: number;
  output(): string;
  seen: { listening?: number; firstIngested?: number };
  exited: Promise<void>;
  exitCode(): number | null;
  /** Stops it as Ctrl-C in a terminal does (SIGINT to its process group) and waits for it. */
  stop(): Promise<void>;
}

function spawnNpmStart(env: NodeJS.ProcessEnv): NpmStart {
  const started = performance.now();
  // In a process group of its own, stopped as a whole (Ctrl-C in a terminal does the same): npm's signal
  // handling must not reach the bench process.
  const child = spawn(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--no-update-notifier'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const seen: NpmStart['seen'] = {};
  const onData = (chunk: Buffer): void => {
    output += chunk.toString();
    const now = performance.now() - started;
    if (seen.listening === undefined && output.includes('kqlgate listening on')) {
      seen.listening = now;
    }
    if (seen.firstIngested === undefined && output.includes('first event ingested after')) {
      seen.firstIngested = now;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  return {
    started,
    output: () => output,
    seen,
    exited,
    exitCode: () => child.exitCode,
    stop: async () => {
      if (child.pid !== undefined && child.exitCode === null) {
        process.kill(-child.pid, 'SIGINT');
      }
      await exited;
    },
  };
}

export async function measureFreshStart(timeoutMs = 180_000): Promise<FreshStartTimes> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-start-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // npm reads its user config from HOME.
    HOME: process.env.HOME,
    PORT: String(await freePort()),
    KUSTO_EMBEDDED_PORT: String(await freePort()),
    SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
  };
  try {
    const fresh = spawnNpmStart(env);
    let calls: BannerCalls | undefined;
    let bannerDataMs: number | undefined;
    try {
      while (bannerDataMs === undefined || fresh.seen.firstIngested === undefined) {
        if (fresh.exitCode() !== null) {
          throw new Error(`kqlgate exited with ${fresh.exitCode()}:\n${fresh.output().slice(-3000)}`);
        }
        if (performance.now() - fresh.started > timeoutMs) {
          throw new Error(
            `fresh start: no banner data within ${timeoutMs} ms:\n${fresh.output().slice(-3000)}`,
          );
        }
        calls ??= parseBanner(fresh.output());
        if (calls && bannerDataMs === undefined && (await bannerCallsHaveRows(calls))) {
          bannerDataMs = performance.now() - fresh.started;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } finally {
      await fresh.stop();
    }
    const restart = spawnNpmStart(env);
    try {
      while (restart.seen.listening === undefined) {
        if (restart.exitCode() !== null || performance.now() - restart.started > timeoutMs) {
          throw new Error(`restart: not listening:\n${restart.output().slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, POLL_MS / 4));
      }
    } finally {
      await restart.stop();
    }
    return {
      listeningMs: fresh.seen.listening ?? Number.NaN,
      firstIngestedMs: fresh.seen.firstIngested,
      bannerDataMs,
      restartListeningMs: restart.seen.listening,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
