/**
 * Runs one background part of `npm start` (embedded engine, embedded broker or demo producer) in its own worker
 * thread — see background-thread-worker.ts for why — and hands back where it listens and how to stop it.
 *
 * Two steps, so a thread can load its modules while the main thread still validates the configuration:
 * spawnBackgroundThread() creates the thread, which starts importing what its part needs at once; start() then
 * gives it the validated settings. startBackgroundThread() does both.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from '../common/logging/logger.js';
import type {
  BackgroundService,
  BackgroundThreadData,
  BackgroundThreadReply,
  BackgroundThreadRequest,
  BackgroundThreadSpec,
} from './background-thread-messages.js';

export interface BackgroundThread {
  /** Where the part listens ('' for the demo producer, which only sends). */
  url: string;
  port: number;
  /** Resolves when the part finished its start-up work (the engine: its compiler warm-up). */
  warmedUp: Promise<void>;
  /** Stops the part (its data flushed and closed), then the thread. */
  close(): Promise<void>;
}

export interface BackgroundThreadOptions {
  logLevel: string;
  logger: Logger;
  /** Called when the thread dies after it was ready: the process lost a part it cannot run without. */
  onCrash(error: Error): void;
  /** Demo producer only: events published since the previous report, by type. */
  onPublished?(byType: Record<string, number>): void;
  /** Engine thread only: compile KQL in the Kusto.Language thread on the other end of this port. */
  compilerPort?: MessagePort;
}

/** A thread loading its part's modules, not started yet. */
export interface SpawnedBackgroundThread {
  readonly service: BackgroundService;
  start(spec: BackgroundThreadSpec, options: BackgroundThreadOptions): Promise<BackgroundThread>;
  /** Stops a thread that will not be started (e.g. the configuration turned out to point at Azure). */
  discard(): Promise<void>;
}

function threadError(service: BackgroundService, message: string, stack?: string): Error {
  const error = new Error(`${service} thread: ${message}`);
  if (stack) {
    error.stack = `${error.message}\n  in the thread: ${stack}`;
  }
  return error;
}

/** Creates the thread of `service`; it begins loading its modules at once. */
export function spawnBackgroundThread(
  service: BackgroundService,
  workerUrl: URL = new URL('./background-thread-worker.js', import.meta.url),
): SpawnedBackgroundThread {
  const workerData: BackgroundThreadData = { service };
  const worker = new Worker(workerUrl, { workerData, name: `kqlgate-${service}` });
  type State = 'spawned' | 'starting' | 'ready' | 'closing' | 'closed';
  let state: State = 'spawned';
  let options: BackgroundThreadOptions | undefined;
  let earlyError: Error | undefined;
  let ready: { resolve(thread: BackgroundThread): void; reject(error: Error): void } | undefined;
  let closeRequested: { resolve(): void; reject(error: Error): void } | undefined;
  let closing: Promise<void> | undefined;
  let warmed: () => void = () => undefined;
  const warmedUp = new Promise<void>((resolve) => {
    warmed = resolve;
  });

  const fail = (error: Error): void => {
    // Nobody may wait forever for a warm-up that will not come (the failure itself is reported below).
    warmed();
    const previous = state;
    if (previous === 'closing') {
      // A start still in progress failed, or the thread died while closing: the start learns why, and the close
      // completes with the thread's 'closed' answer or its exit.
      ready?.reject(error);
      return;
    }
    state = 'closed';
    if (previous === 'spawned') {
      earlyError ??= error;
    } else if (previous === 'starting') {
      ready?.reject(error);
    } else if (previous === 'ready') {
      options?.onCrash(error);
    }
  };
  worker.on('error', (error) => {
    options?.logger.error({ thread: service, err: error }, 'background thread failed');
    fail(error);
  });
  worker.on('exit', (code) => {
    if (state === 'closing') {
      // Exited after (or instead of) answering the close request: either way it is gone.
      state = 'closed';
      ready?.reject(threadError(service, 'closed while starting'));
      closeRequested?.resolve();
      return;
    }
    if (state !== 'closed') {
      fail(threadError(service, `exited with code ${code}`));
    }
  });
  worker.on('message', (reply: BackgroundThreadReply) => {
    switch (reply.type) {
      case 'published':
        options?.onPublished?.(reply.byType);
        return;
      case 'failed':
        fail(threadError(service, reply.message, reply.stack));
        void worker.terminate();
        return;
      case 'warmed-up':
        warmed();
        return;
      case 'closed':
        state = 'closed';
        closeRequested?.resolve();
        return;
      case 'ready':
        if (state === 'closing') {
          // Closed while starting: the thread closes what it just started and answers 'closed'.
          ready?.reject(threadError(service, 'closed while starting'));
          return;
        }
        state = 'ready';
        ready?.resolve({ url: reply.url, port: reply.port, warmedUp, close });
        return;
    }
  });

  /**
   * Asks the thread to close and waits for its answer, whatever it is doing: it first finishes loading its modules
   * and a start in progress. Terminating it outright while a native addon (DuckDB) loads or opens a database can
   * abort the whole process — a Ctrl-C during `npm start`'s first seconds did.
   */
  function close(): Promise<void> {
    closing ??= (() => {
      if (state === 'closed') {
        return worker.terminate().then(() => undefined);
      }
      state = 'closing';
      const closed = new Promise<void>((resolve, reject) => {
        closeRequested = { resolve, reject };
      });
      const request: BackgroundThreadRequest = { type: 'close' };
      worker.postMessage(request);
      return closed.finally(() => worker.terminate());
    })();
    return closing;
  }

  return {
    service,
    start(spec, startOptions) {
      if (state !== 'spawned') {
        return Promise.reject(earlyError ?? threadError(service, `cannot start: the thread is ${state}`));
      }
      if (spec.service !== service) {
        return Promise.reject(threadError(service, `was spawned for ${service}, not ${spec.service}`));
      }
      options = startOptions;
      state = 'starting';
      return new Promise<BackgroundThread>((resolve, reject) => {
        ready = { resolve, reject };
        const request: BackgroundThreadRequest = {
          type: 'start',
          spec,
          logLevel: startOptions.logLevel,
          compilerPort: startOptions.compilerPort,
        };
        worker.postMessage(request, startOptions.compilerPort ? [startOptions.compilerPort] : []);
      });
    },
    discard: () => close(),
  };
}

/** Creates the thread and starts its part (what the tests and a late start use). */
export function startBackgroundThread(
  spec: BackgroundThreadSpec,
  options: BackgroundThreadOptions,
): Promise<BackgroundThread> {
  return spawnBackgroundThread(spec.service).start(spec, options);
}
