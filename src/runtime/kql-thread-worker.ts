/**
 * Entry of `npm start`'s Kusto.Language thread, started by the embedded engine's thread: it compiles the engine's
 * KQL (serveCompileRequests) and, on the port the main thread sends it, analyzes kql/ for the gateway
 * (RemoteCatalogAnalyzer), so the process pays Kusto.Language's start-up once.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { serveCatalogBuilds } from '../modules/catalog/catalog-build-server.js';
import { serveCompileRequests } from '../embedded/kusto/query/compiler-thread-server.js';

/** Sent by the engine's thread (CompilerThread.post) with the port of the main thread's catalog analyzer. */
export interface ServeCatalogMessage {
  type: 'serve-catalog';
  port: MessagePort;
}

const port = parentPort;
if (!port) {
  throw new Error('kql-thread-worker must run in a worker thread (started by the engine thread)');
}
port.on('message', (message: { type?: unknown }) => {
  if (message.type === 'serve-catalog') {
    serveCatalogBuilds((message as ServeCatalogMessage).port);
  }
});
serveCompileRequests(port);
