/**
 * The Kusto.Language host: one thread that pays Kusto.Language's start-up (over a second of CPU) once, when the
 * first request needs it, then compiles the embedded engine's KQL on one port and analyzes kql/ for the gateway on
 * the other. Ready as soon as it listens: requests queue on both ports while Kusto.Language loads. A restart with
 * kql/ unchanged asks for nothing before the gateway listens (the catalog is the stored analysis).
 */
import type { MessagePort } from 'node:worker_threads';
import { createLogger, setLogLevel } from '../../common/logging/logger.js';
import { serveCatalogBuilds } from '../../modules/catalog/catalog-build-server.js';
import type { Part } from '../part.js';

export interface KqlHostInput {
  /** Where the gateway asks for catalog analyses (RemoteCatalogAnalyzer.overPort). */
  catalogPort: MessagePort;
  /** Where the embedded engine asks for compilations; absent when no engine runs here. */
  compilerPort?: MessagePort;
}

export const part: Part<KqlHostInput, Record<string, never>> = {
  async start({ catalogPort, compilerPort }) {
    serveCatalogBuilds(catalogPort);
    if (compilerPort) {
      const { serveCompileRequests } = await import('@kqlgate/kusto-emulator/compiler-thread-server');
      serveCompileRequests(compilerPort, { logger: createLogger('kql-compiler'), setLogLevel });
    }
    return {
      facts: {},
      close: () => {
        catalogPort.close();
        compilerPort?.close();
        return Promise.resolve();
      },
    };
  },
};
