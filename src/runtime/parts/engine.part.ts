/**
 * The embedded Kusto engine (@kqlgate/kusto-emulator) on 127.0.0.1, its databases under DATA_DIR. It compiles KQL
 * in the Kusto.Language host, so it is ready as soon as DuckDB is open: control commands that need no KQL (tables,
 * mappings, functions) run while that host still pays Kusto.Language's start-up.
 */
import type { MessagePort } from 'node:worker_threads';
import { createLogger } from '../../common/logging/logger.js';
import { PACKAGE_METRIC_PREFIXES } from '../../common/metrics/metrics.registry.js';
import type { Part } from '../part.js';

export interface EngineInput {
  host: string;
  /** 0: any free port (the facts name the one bound). */
  port: number;
  dataDir: string;
  databases: string[];
  /** DuckDB memory limit per database (KUSTO_EMBEDDED_MEMORY_LIMIT). */
  memoryLimit?: string;
  /** Serve the data-management endpoint (Azurite storage + queued-ingestion poller) too. */
  dataManagement?: boolean;
  /** Where `file:` external tables of kql/ read their files (kql/reference). */
  externalDataRoot?: string;
  /** The engine's end of the channel to the Kusto.Language host. */
  compilerPort: MessagePort;
  /** Pay Kusto.Language's start-up as soon as the engine is up (startKustoEmulator's warmUpCompiler); default no. */
  warmUpCompiler?: boolean;
}

export const part: Part<EngineInput, { url: string; port: number }> = {
  async start({ compilerPort, ...input }) {
    const { startKustoEmulator, connectCompilerThread } = await import('@kqlgate/kusto-emulator');
    const compiler = connectCompilerThread(compilerPort);
    const engine = await startKustoEmulator({
      ...input,
      logger: createLogger('kusto-emulator'),
      compilerLogger: createLogger('kql-compiler'),
      metrics: { prefix: PACKAGE_METRIC_PREFIXES.kustoEmulator },
      compilerLoader: compiler.loader,
    });
    return {
      facts: { url: engine.url, port: engine.port },
      close: async () => {
        await engine.close();
        await compiler.close();
      },
    };
  },
};
