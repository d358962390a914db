/**
 * The one host of every part (part.ts): runs it in the main thread, or in a worker thread (part-worker.ts) when
 * its declaration says so, and hands back the same RunningPart either way. Nothing else decides where a part runs.
 */
import { MessagePort, Worker } from 'node:worker_threads';
import type { Part, RunningPart } from './part.js';
import type { PartReply, PartRequest, PartWorkerData } from './part-messages.js';
import { workerModuleUrl } from './worker-module-url.js';

export interface PartDeclaration<Input, Facts> {
  readonly name: string;
  readonly runsIn: 'main' | 'worker';
  /** The part's module in this thread: a dynamic import, so nothing of a part loads unless it runs. */
  load(): Promise<{ part: Part<Input, Facts> }>;
  /** The same module, for a worker to import. */
  readonly moduleUrl: URL;
  /** Reports the part sends (PartContext.report), received in the main thread. */
  onReport?(message: unknown): void;
}

export interface PartHostOptions {
  logLevel: string;
  /** A part in a worker died after it was ready: the process lost a part it runs with. */
  onCrash(name: string, error: Error): void;
  /**
   * The shutdown's: a main-thread part's start in progress ends early when it aborts (a worker's thread aborts its
   * own on close). Without it, starts run to their end.
   */
  signal?: AbortSignal;
}

/** A part whose code is loading (in this thread, or in its worker thread), not started yet. */
export interface PreparedPart<Input, Facts> {
  start(input: Input): Promise<RunningPart<Facts>>;
  /** Stops a part that will not be started (its thread, once its module has loaded). */
  discard(): Promise<void>;
}

/** Begins loading the part's code where its declaration says it runs; start() runs it there. */
export function preparePart<Input, Facts>(
  declaration: PartDeclaration<Input, Facts>,
  options: PartHostOptions,
): PreparedPart<Input, Facts> {
  if (declaration.runsIn === 'main') {
    const loaded = declaration.load();
    // Reported by start(); a part never started must not leave an unhandled rejection.
    loaded.catch(() => undefined);
    const report = (message: unknown): void => declaration.onReport?.(message);
    const signal = options.signal ?? new AbortController().signal;
    return {
      start: (input) => loaded.then(({ part }) => part.start(input, { report, signal })),
      discard: () => Promise.resolve(),
    };
  }
  return prepareInWorker(declaration, options);
}

/** preparePart() and start() in one. */
export function startPart<Input, Facts>(
  declaration: PartDeclaration<Input, Facts>,
  input: Input,
  options: PartHostOptions,
): Promise<RunningPart<Facts>> {
  return preparePart(declaration, options).start(input);
}

function partError(name: string, message: string, stack?: string): Error {
  const error = new Error(`${name}: ${message}`);
  if (stack) {
    error.stack = `${error.message}\n  in its thread: ${stack}`;
  }
  return error;
}

/** The MessagePorts among the input's fields: transferred to the worker with it. */
function portsOf(input: unknown): MessagePort[] {
  return typeof input === 'object' && input !== null
    ? Object.values(input).filter((value): value is MessagePort => value instanceof MessagePort)
    : [];
}

function prepareInWorker<Input, Facts>(
  declaration: PartDeclaration<Input, Facts>,
  options: PartHostOptions,
): PreparedPart<Input, Facts> {
  const { name } = declaration;
  const workerData: PartWorkerData = { moduleUrl: workerModuleUrl(declaration.moduleUrl).href, name };
  const worker = new Worker(workerModuleUrl(new URL('./part-worker.js', import.meta.url)), {
    workerData,
    name: `kqlgate-${name}`,
  });
  let state: 'loading' | 'starting' | 'ready' | 'closing' | 'closed' = 'loading';
  let earlyError: Error | undefined;
  let ready: { resolve(part: RunningPart<Facts>): void; reject(error: Error): void } | undefined;
  let closed: (() => void) | undefined;
  let closing: Promise<void> | undefined;

  const fail = (error: Error): void => {
    const previous = state;
    state = 'closed';
    closed?.();
    if (previous === 'loading') {
      earlyError ??= error;
    } else if (previous === 'starting' || previous === 'closing') {
      ready?.reject(error);
    } else if (previous === 'ready') {
      options.onCrash(name, error);
    }
  };
  worker.on('error', (error) => fail(partError(name, error.message, error.stack)));
  worker.on('exit', (code) => {
    if (state === 'closing') {
      state = 'closed';
      closed?.();
    } else if (state !== 'closed') {
      fail(partError(name, `its thread exited with code ${code}`));
    }
  });
  worker.on('message', (reply: PartReply) => {
    switch (reply.type) {
      case 'report':
        declaration.onReport?.(reply.message);
        return;
      case 'failed':
        fail(partError(name, reply.message, reply.stack));
        void worker.terminate();
        return;
      case 'closed':
        state = 'closed';
        closed?.();
        // Closed while starting: the thread closed what it had started.
        ready?.reject(partError(name, 'closed while starting'));
        return;
      case 'ready':
        if (state === 'starting') {
          state = 'ready';
          ready?.resolve({ facts: reply.facts as Facts, close });
        }
        return;
    }
  });

  /**
   * Asks the thread to close and waits for its answer, whatever it is doing: it first finishes loading its module
   * and a start in progress. Terminating it outright while a native addon (DuckDB) loads or opens a database can
   * abort the whole process.
   */
  function close(): Promise<void> {
    closing ??= (() => {
      if (state === 'closed') {
        return worker.terminate().then(() => undefined);
      }
      state = 'closing';
      const done = new Promise<void>((resolve) => {
        closed = resolve;
      });
      const request: PartRequest = { type: 'close' };
      worker.postMessage(request);
      return done.finally(() => worker.terminate());
    })();
    return closing;
  }

  return {
    start(input) {
      if (state !== 'loading') {
        return Promise.reject(earlyError ?? partError(name, `cannot start: its thread is ${state}`));
      }
      state = 'starting';
      return new Promise<RunningPart<Facts>>((resolve, reject) => {
        ready = { resolve, reject };
        const request: PartRequest = { type: 'start', input, logLevel: options.logLevel };
        worker.postMessage(request, portsOf(input));
      });
    },
    discard: () => close(),
  };
}
