import type { EnvConfig } from '../../src/config/env.dto.js';
import { loadConfig } from '../../src/config/load-config.js';
import { startKqlgate, type RunningKqlgate } from '../../src/runtime/kqlgate-runtime.js';
import { freePort } from './free-port.js';
import { removeDir, tempDir } from './temp-dir.js';

export interface KqlgateInstance extends RunningKqlgate {
  config: EnvConfig;
  dataDir: string;
  /** Stops everything and removes the data dir. */
  stop(): Promise<void>;
}

/**
 * The whole runtime as `npm start` builds it — embedded engine and broker, catalog of kql/, gateway, ingestion —
 * in this process and its worker threads, on free 127.0.0.1 ports with a temp DATA_DIR and no demo traffic unless `env` asks for it.
 */
export async function startKqlgateInstance(env: Record<string, string> = {}): Promise<KqlgateInstance> {
  const dataDir = await tempDir('instance');
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DEMO_RATE: '0',
    DATA_DIR: dataDir,
    KUSTO_EMBEDDED_PORT: String(await freePort()),
    SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
    ...env,
  });
  // The parts, their order and their threads of `npm start`: the gateway and the ingestion run here from the sources,
  // the others in worker threads from dist/ (worker-module-url.ts).
  const running = await startKqlgate(config, { handleSignals: false });
  return {
    ...running,
    config,
    dataDir,
    async stop() {
      await running.close();
      await removeDir(dataDir);
    },
  };
}
