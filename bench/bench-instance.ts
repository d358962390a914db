import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load-config.js';
import { startKqlgate, type RunningKqlgate } from '../src/runtime/kqlgate-runtime.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The whole runtime (as `npm start`, without demo traffic) on free ports and a temp DATA_DIR. */
export async function startBenchInstance(
  env: Record<string, string> = {},
): Promise<RunningKqlgate & { dataDir: string; stop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-'));
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    DEMO_RATE: '0',
    DATA_DIR: dataDir,
    KUSTO_EMBEDDED_PORT: String(await freePort()),
    SERVICEBUS_EMBEDDED_PORT: String(await freePort()),
    ...env,
  });
  // The parts, their order and their threads of `npm start` (the benchmarks run from dist/).
  const running = await startKqlgate(config, { handleSignals: false });
  return {
    ...running,
    dataDir,
    async stop() {
      await running.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
