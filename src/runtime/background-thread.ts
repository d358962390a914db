/**
 * Runs one background part of `npm start` (embedded engine, embedded broker or demo producer) in its own worker
 * thread — see background-thread-worker.ts for why — and hands back where it listens and how to stop it.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from '../common/logging/logger.js';
import type {
  BackgroundThreadData,
  BackgroundThreadReply,
  BackgroundThreadSpec,
  CloseThreadRequest,
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
  /** Engine thread only: also serve catalog builds on this port (see BackgroundThreadData.catalogPort). */
  catalogPort?: MessagePort;
  /** The compiled worker entry; default: background-thread-worker.js next to this module. */
  workerUrl?: URL;
}

function threadError(spec: BackgroundThreadSpec, message: string, stack?: string): Error {
  const error = new Error(`${spec.service} thread: ${message}`);
  if (stack) {
    error.stack = `${error.message}\n  in the thread: ${stack}`;
  }
  return error;
}

export function startBackgroundThread(
  spec: BackgroundThreadSpec,
  options: BackgroundThreadOptions,
): Promise<BackgroundThread> {
  const workerData: BackgroundThreadData = {
    spec,
    logLevel: options.logLevel,
    catalogPort: options.catalogPort,
  };
  const worker = new Worker(options.workerUrl ?? new URL('./background-thread-worker.js', import.meta.url), {
    workerData,
    transferList: options.catalogPort ? [options.catalogPort] : [],
    name: `kqlgate-${spec.service}`,
  });
  let state: 'starting' | 'ready' | 'closing' | 'closed' = 'starting';
  let closeRequested: { resolve(): void; reject(error: Error): void } | undefined;
  let closing: Promise<void> | undefined;
  let warmed: () => void = () => undefined;
  const warmedUp = new Promise<void>((resolve) => {
    warmed = resolve;
  });

  return new Promise<BackgroundThread>((resolveReady, rejectReady) => {
    const fail = (error: Error): void => {
      // Nobody may wait forever for a warm-up that will not come (the crash itself is reported below).
      warmed();
      if (state === 'starting') {
        state = 'closed';
        rejectReady(error);
      } else if (state === 'ready') {
        state = 'closed';
        options.onCrash(error);
      } else if (state === 'closing') {
        state = 'closed';
        closeRequested?.reject(error);
      }
    };
    worker.on('error', (error) => {
      options.logger.error({ thread: spec.service, err: error }, 'background thread failed');
      fail(error);
    });
    worker.on('exit', (code) => {
      if (state === 'closing') {
        // Exited after (or instead of) answering the close request: either way it is gone.
        state = 'closed';
        closeRequested?.resolve();
        return;
      }
      fail(threadError(spec, `exited with code ${code}`));
    });
    worker.on('message', (reply: BackgroundThreadReply) => {
      switch (reply.type) {
        case 'published':
          options.onPublished?.(reply.byType);
          return;
        case 'failed':
          fail(threadError(spec, reply.message, reply.stack));
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
          state = 'ready';
          resolveReady({ url: reply.url, port: reply.port, warmedUp, close: () => close() });
          return;
      }
    });
  });

  function close(): Promise<void> {
    closing ??= (() => {
      if (state !== 'ready') {
        return worker.terminate().then(() => undefined);
      }
      state = 'closing';
      const closed = new Promise<void>((resolve, reject) => {
        closeRequested = { resolve, reject };
      });
      const request: CloseThreadRequest = { type: 'close' };
      worker.postMessage(request);
      return closed.finally(() => worker.terminate());
    })();
    return closing;
  }
}
