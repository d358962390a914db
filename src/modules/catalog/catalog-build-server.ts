import type { MessagePort } from 'node:worker_threads';
import type { CatalogBuildReply, CatalogBuildRequest } from './catalog-analysis-messages.js';
import { buildCatalogYielding } from './catalog-builder.js';

/**
 * The serving side of RemoteCatalogAnalyzer: answers build requests on `port`, one at a time, yielding between
 * functions because the thread may serve others too (`npm start` serves it from the embedded engine's compiler
 * thread, so the process pays Kusto.Language's start-up once). Kusto.Language stays warm there for `--watch`
 * reloads.
 */
export function serveCatalogBuilds(port: MessagePort): void {
  let queue = Promise.resolve();
  port.on('message', (request: CatalogBuildRequest) => {
    queue = queue.then(async () => {
      let reply: CatalogBuildReply;
      try {
        const catalog = await buildCatalogYielding(request.files, { version: request.version });
        reply = { id: request.id, catalog };
      } catch (error) {
        reply = {
          id: request.id,
          error:
            error instanceof Error
              ? { message: error.message, stack: error.stack }
              : { message: String(error) },
        };
      }
      port.postMessage(reply);
    });
  });
}
