// First of all: see why in startup-jit-budget.ts.
import { restoreJitBudget } from './runtime/startup-jit-budget.js';
import 'reflect-metadata';
import { discardEarlyThreads, spawnEmbeddedThreadsEarly } from './runtime/early-threads.js';

// Then the threads, so Kusto.Language's start-up and the engine's and broker's module loading run while the
// configuration is validated.
const earlyThreads = spawnEmbeddedThreadsEarly(process.env);

/**
 * `npm start`: validate the configuration (one line per bad value, exit 1), check that the local stack it needs is
 * installed (one line naming the packages and the settings instead, exit 1), then start everything in one process —
 * see KqlgateRuntime for what and in which order.
 */
async function main(): Promise<void> {
  const { ConfigValidationError, loadConfig } = await import('./config/load-config.js');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`kqlgate: ${error.message}\n`);
      await discardEarlyThreads(earlyThreads);
      process.exit(1);
    }
    throw error;
  }
  const { missingLocalStackLine } = await import('./runtime/local-stack-check.js');
  const missing = missingLocalStackLine(config);
  if (missing !== undefined) {
    process.stderr.write(`kqlgate: ${missing}\n`);
    await discardEarlyThreads(earlyThreads);
    process.exit(1);
  }
  const { startKqlgate } = await import('./runtime/kqlgate-runtime.js');
  await startKqlgate(config, {
    watchKql: process.argv.includes('--watch'),
    banner: true,
    workerThreads: true,
    earlyThreads,
  });
  restoreJitBudget();
}

main().catch((error: unknown) => {
  if (error instanceof Error && error.name === 'StartInterrupted') {
    // A signal during start-up: its shutdown is closing what started and sets the exit code.
    return;
  }
  process.stderr.write(
    `kqlgate: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
