/**
 * Entry of `npm start`'s Kusto.Language thread (kql-thread.ts): compiles the embedded engine's KQL on one port
 * (serveCompileRequests) and analyzes kql/ for the gateway (RemoteCatalogAnalyzer) on the other.
 */
import { workerData } from 'node:worker_threads';
import { serveCompileRequests } from '@kqlgate/kusto-emulator/compiler-thread-server';
import { createLogger, setLogLevel } from '../common/logging/logger.js';
import { serveCatalogBuilds } from '../modules/catalog/catalog-build-server.js';
import type { KqlThreadData } from './kql-thread.js';

const { compilerPort, catalogPort } = workerData as KqlThreadData;
serveCatalogBuilds(catalogPort);
// Last: it pays Kusto.Language's start-up before returning, and requests queue on both ports meanwhile.
serveCompileRequests(compilerPort, { logger: createLogger('kql-compiler'), setLogLevel });
