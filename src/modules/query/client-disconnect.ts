import type { ServerResponse } from 'node:http';

/**
 * Aborts when the client's connection closes before its response was sent: the caller went away, and the engine
 * query running for it should stop (see FunctionQueryService.execute). `close` on the response fires either way;
 * only an unfinished response means the client left.
 */
export function clientDisconnectSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) {
      controller.abort();
    }
  });
  return controller.signal;
}
