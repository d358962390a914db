/**
 * How a part's worker thread answers the host's requests ('start', 'close'), apart from the part it runs, so the
 * ordering rules can be tested without a thread:
 * - a 'start' waits for the part's module (imported from the moment the thread exists) and reports a load failure
 *   as that start's failure;
 * - a 'close' aborts a start still in progress (its signal), waits for it and for the module loading itself. The
 *   host terminates the thread on 'closed', and a thread terminated while a native addon is still loading (DuckDB)
 *   can abort the whole process.
 */
import type { RunningPart } from './part.js';
import type { PartReply, PartRequest } from './part-messages.js';

export interface PartRequestHandlers {
  /** Settles once the part's module is loaded: undefined, or the load error. Never rejects. */
  preloaded: Promise<unknown>;
  startPart(
    request: Extract<PartRequest, { type: 'start' }>,
    signal: AbortSignal,
  ): Promise<RunningPart<unknown>>;
  reply(message: PartReply): void;
  /** After 'closed' was sent: no more messages. */
  done(): void;
}

export function failedReply(error: unknown): PartReply {
  return error instanceof Error
    ? { type: 'failed', message: error.message, stack: error.stack }
    : { type: 'failed', message: String(error) };
}

/** Returns the handler of the thread's incoming requests. */
export function partRequestHandler(handlers: PartRequestHandlers): (request: PartRequest) => void {
  const { preloaded } = handlers;
  const reply = (message: PartReply): void => handlers.reply(message);
  let part: Promise<RunningPart<unknown> | undefined> = Promise.resolve(undefined);
  const closing = new AbortController();
  return (request) => {
    if (request.type === 'start') {
      part = (async () => {
        const loadError = await preloaded;
        if (loadError !== undefined) {
          reply(failedReply(loadError));
          return undefined;
        }
        try {
          const running = await handlers.startPart(request, closing.signal);
          reply({ type: 'ready', facts: running.facts });
          return running;
        } catch (error) {
          reply(failedReply(error));
          return undefined;
        }
      })();
      return;
    }
    // After a start still in progress (so nothing is left running) and after the module loading.
    closing.abort();
    void Promise.all([part.then((running) => running?.close()), preloaded]).then(
      () => {
        reply({ type: 'closed' });
        handlers.done();
      },
      (error: unknown) => reply(failedReply(error)),
    );
  };
}
