/** Worker entry of RemoteCatalogAnalyzer.inOwnThread(): a thread that only analyzes catalogs. */
import { parentPort } from 'node:worker_threads';
import { serveCatalogBuilds } from './catalog-build-server.js';

if (!parentPort) {
  throw new Error('catalog-analysis-worker must run in a worker thread (RemoteCatalogAnalyzer.inOwnThread)');
}
serveCatalogBuilds(parentPort);
