/**
 * `npm start` and `kqlgate start`: validate the configuration (one line per bad value, exit 1), check that the
 * local stack it needs is installed (one line naming the packages and the settings instead, exit 1), then start
 * the parts of kqlgate-parts.ts for KQLGATE_ROLE.
 */
import { StartInterrupted } from './shutdown-coordinator.js';

export interface RunOptions {
  /** Re-analyze kql/ on change. */
  watchKql: boolean;
  /** Print the start-up banner (URLs, a dev token, example calls) once listening, for the whole local process. */
  banner: boolean;
}

export async function runKqlgate(options: RunOptions): Promise<void> {
  const { ConfigValidationError, loadConfig } = await import('../config/load-config.js');
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
  const { missingLocalStackLine } = await import('./local-stack-check.js');
  const missing = missingLocalStackLine(config);
  if (missing !== undefined) {
    process.stderr.write(`kqlgate: ${missing}\n`);
    process.exit(1);
  }
  const { startKqlgate } = await import('./kqlgate-runtime.js');
  try {
    await startKqlgate(config, {
      watchKql: options.watchKql,
      banner: options.banner && config.KQLGATE_ROLE === 'all',
    });
  } catch (error) {
    if (error instanceof StartInterrupted) {
      // A signal during start-up: its shutdown is closing what started and sets the exit code.
      return;
    }
    process.stderr.write(
      `kqlgate: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}
