/**
 * Where the compiler logs (at debug level: each newly compiled query with its stage timings and SQL). The compiler
 * is a module with one cache per process, so its logger is one per process too; a host sets it with
 * `setCompilerLogger` (startKustoEmulator's `compilerLogger`, serveCompileRequests' `logger`). Silent until then.
 */
import { silentLogger, type Logger } from '../logging/logger.js';

let current: Logger = silentLogger;

export function setCompilerLogger(logger: Logger): void {
  current = logger;
}

export function compilerLogger(): Logger {
  return current;
}
