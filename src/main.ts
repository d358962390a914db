import 'reflect-metadata';
import { ConfigValidationError, loadConfig } from './config/load-config.js';
import { startKqlgate } from './runtime/kqlgate-runtime.js';

/**
 * `npm start`: validate the configuration (one line per bad value, exit 1), then start everything in one
 * process — see KqlgateRuntime for what and in which order.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`kqlgate: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await startKqlgate(config, {
    watchKql: process.argv.includes('--watch'),
    banner: true,
    workerThreads: true,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `kqlgate: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
