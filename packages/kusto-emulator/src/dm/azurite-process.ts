/**
 * Blob, queue and table storage for the data-management endpoint: Azurite, the official Azure Storage emulator
 * (pure JavaScript), as a child process. A child process rather than in-process because Azurite's package exports
 * no programmatic API (its `main` is the VS Code extension); its command line is the supported interface.
 *
 * It listens on loopback ports (0 = free ones, read back from the lines Azurite prints once listening), keeps its
 * data under the engine's data dir, and uses the well-known development account (`devstoreaccount1`). The child
 * watches its IPC channel and shuts itself down when the engine's process goes away, even by SIGKILL, so no
 * orphan keeps the ports or the files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from '../logging/logger.js';

/** Azurite's well-known development account (the same in every Azure Storage emulator; not a secret). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** How long Azurite may take to print its three listening lines. */
const START_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 10_000;

/** Loaded by the child before Azurite: a lost IPC channel means the engine's process is gone. */
const PARENT_WATCH = `data:text/javascript,process.on('disconnect',()=>process.kill(process.pid,'SIGTERM'))`;

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface RunningAzurite {
  /** The ports bound (pass them back to keep the endpoints across a restart). */
  ports: AzuritePorts;
  /** e.g. http://127.0.0.1:10000/devstoreaccount1 */
  blobEndpoint: string;
  queueEndpoint: string;
  tableEndpoint: string;
  close(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;
/** What Azurite prints for each service when told to stop: closed, or the close failed. */
const CLOSED = /Azurite (Blob|Queue|Table) service successfully closed|Shutdown close failed/;

function azuriteEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
}

export async function startAzurite(options: {
  host: string;
  location: string;
  ports?: Partial<AzuritePorts>;
  logger: Logger;
}): Promise<RunningAzurite> {
  await mkdir(options.location, { recursive: true });
  const { host, ports = {} } = options;
  const args = [
    '--import',
    PARENT_WATCH,
    azuriteEntry(),
    '--silent',
    '--disableTelemetry',
    // The storage SDKs the clients bring are often newer than the Azurite release: accept their API versions.
    '--skipApiVersionCheck',
    '--disableProductStyleUrl',
    '--location',
    options.location,
    '--blobHost',
    host,
    '--queueHost',
    host,
    '--tableHost',
    host,
    '--blobPort',
    String(ports.blob ?? 0),
    '--queuePort',
    String(ports.queue ?? 0),
    '--tablePort',
    String(ports.table ?? 0),
  ];
  const child = spawn(process.execPath, args, {
    cwd: options.location,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const endpoints = await waitForEndpoints(child, options.logger).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  // Only its exit matters from here on; the channel must not keep the engine's process alive.
  child.unref();
  child.channel?.unref();
  let closing: Promise<void> | undefined;
  const portOf = (endpoint: string): number => Number(new URL(endpoint).port);
  return {
    ports: { blob: portOf(endpoints.Blob), queue: portOf(endpoints.Queue), table: portOf(endpoints.Table) },
    blobEndpoint: `${endpoints.Blob}/${DEV_ACCOUNT_NAME}`,
    queueEndpoint: `${endpoints.Queue}/${DEV_ACCOUNT_NAME}`,
    tableEndpoint: `${endpoints.Table}/${DEV_ACCOUNT_NAME}`,
    close: () => {
      closing ??= stopChild(child);
      return closing;
    },
  };
}

function waitForEndpoints(child: ChildProcess, logger: Logger): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const found: Record<string, string> = {};
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start within ${START_TIMEOUT_MS} ms. Its output: ${output}`)),
      START_TIMEOUT_MS,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    const onLine = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-4_000);
      for (const line of text.split('\n')) {
        const match = LISTENING.exec(line);
        if (match) {
          found[match[1]] = match[2].replace(/\/$/, '');
        }
      }
      if (found.Blob && found.Queue && found.Table) {
        clearTimeout(timer);
        child.stdout?.off('data', onLine);
        child.stdout?.resume();
        logger.debug({ ...found, pid: child.pid }, 'azurite started');
        resolve(found);
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
    });
    child.once('error', (error) => fail(new Error(`Azurite could not be started: ${error.message}`)));
    child.once('exit', (code, signal) =>
      fail(
        new Error(`Azurite exited during start-up (code ${code}, signal ${signal}). Its output: ${output}`),
      ),
    );
  });
}

/**
 * SIGTERM makes Azurite close its three services (saving their data), but not exit: its process stays alive while
 * its IPC channel is open (Azurite's own `message` listener and the parent watch). Once every service has reported
 * its close, the channel is closed and the parent watch ends the process; SIGKILL only if that does not happen.
 */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const closed = servicesClosed(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await Promise.race([closed.then(() => child.connected && child.disconnect()), exited]);
  await exited;
  clearTimeout(timer);
}

/** Resolves once Azurite has printed the outcome of closing each of its three services (stdout or stderr). */
function servicesClosed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    let outcomes = 0;
    const streams = [child.stdout, child.stderr].flatMap((stream) => (stream ? [stream] : []));
    const listeners = streams.map((stream) => {
      let pending = '';
      const onData = (chunk: Buffer): void => {
        const lines = (pending + chunk.toString('utf8')).split('\n');
        pending = lines.pop()!;
        outcomes += lines.filter((line) => CLOSED.test(line)).length;
        if (outcomes >= 3) {
          streams.forEach((s, i) => s.off('data', listeners[i]));
          resolve();
        }
      };
      stream.on('data', onData);
      return onData;
    });
  });
}
