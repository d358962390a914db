/**
 * Entry of `npm start`'s Kusto.Language thread (kql-thread.ts): compiles the embedded engine's KQL on one port
 * (serveCompileRequests) and analyzes kql/ for the gateway (RemoteCatalogAnalyzer) on the other.
 */
import { workerData } from 'node:worker_threads';
import { serveCatalogBuilds } from '../modules/catalog/catalog-build-server.js';
import { serveCompileRequests } from '../embedded/kusto/query/compiler-thread-server.js';
import type { KqlThreadData } from './kql-thread.js';

const { compilerPort, catalogPort } = workerData as KqlThreadData;
serveCatalogBuilds(catalogPort);
// Last: it pays Kusto.Language's start-up before returning, and requests queue on both ports meanwhile.
serveCompileRequests(compilerPort);
