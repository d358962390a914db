/**
 * How a background thread answers the main thread's requests ('start', 'close'), apart from what it runs, so
 * the ordering rules can be tested without a thread:
 * - a 'start' waits for the part's modules (loaded from the moment the thread exists) and reports a load failure as
 *   that start's failure;
 * - a 'close' waits for a start still in progress and for the module loading itself. The main thread terminates
 *   the thread on 'closed', and a thread terminated while a native addon is still loading (DuckDB) can abort the
 *   whole process: that happened to `npm start` with a bad configuration, which discards the early threads.
 */
import type { BackgroundThreadReply, BackgroundThreadRequest } from './background-thread-messages.js';

export interface RunningPart {
  url: string;
  port: number;
  warmedUp?: Promise<void>;
  close(): Promise<void>;
}

export interface BackgroundRequestHandlers {
  /** Settles once the part's modules are loaded: undefined, or the load error. Never rejects. */
  preloaded: Promise<unknown>;
  startPart(request: Extract<BackgroundThreadRequest, { type: 'start' }>): Promise<RunningPart>;
  /** Called before anything else when 'close' arrives, so optional preloading (a warm-up) can be skipped. */
  onCloseRequested?(): void;
  reply(message: BackgroundThreadReply): void;
  /** After 'closed' was sent: no more messages. */
  done(): void;
}

function failed(error: unknown): BackgroundThreadReply {
  return error instanceof Error
    ? { type: 'failed', message: error.message, stack: error.stack }
    : { type: 'failed', message: String(error) };
}

/** Returns the handler of the thread's incoming requests. */
export function backgroundRequestHandler(
  handlers: BackgroundRequestHandlers,
): (request: BackgroundThreadRequest) => void {
  const { preloaded } = handlers;
  const reply = (message: BackgroundThreadReply): void => handlers.reply(message);
  let part: Promise<RunningPart | undefined> = Promise.resolve(undefined);
  return (request) => {
    if (request.type === 'start') {
      part = (async () => {
        const loadError = await preloaded;
        if (loadError !== undefined) {
          reply(failed(loadError));
          return undefined;
        }
        try {
          const running = await handlers.startPart(request);
          reply({ type: 'ready', url: running.url, port: running.port });
          void (running.warmedUp ?? Promise.resolve()).then(() => reply({ type: 'warmed-up' }));
          return running;
        } catch (error) {
          reply(failed(error));
          return undefined;
        }
      })();
      return;
    }
    handlers.onCloseRequested?.();
    // After a start still in progress (so nothing is left running) and after the module loading.
    void Promise.all([part.then((running) => running?.close()), preloaded]).then(
      () => {
        reply({ type: 'closed' });
        handlers.done();
      },
      (error: unknown) => reply(failed(error)),
    );
  };
}
