import pino from 'pino';
import { privateLoggerOptions } from './log-privacy.js';

/** The logging surface shared code depends on; pino loggers satisfy it, so does a test spy. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const level = env.LOG_LEVEL ?? 'info';
  return (LEVELS as readonly string[]).includes(level) ? level : 'info';
}

let root: pino.Logger | undefined;

/**
 * The process-wide pino root logger (JSON lines on stdout). Its serializers and log-method hook keep query strings
 * out of every line, also of the lines Fastify and Nest write through it (see log-privacy.ts).
 */
export function rootLogger(): pino.Logger {
  root ??= pino({
    level: logLevelFromEnv(),
    base: { service: 'kqlgate' },
    ...privateLoggerOptions,
  });
  return root;
}

/** Applies the validated LOG_LEVEL to the root logger (and so to every child created from it). */
export function setLogLevel(level: string): void {
  rootLogger().level = level;
}

/** A child logger tagged with the component name, e.g. `createLogger('kusto-emulator')`. */
export function createLogger(name: string): Logger {
  return rootLogger().child({ component: name });
}

/** A logger that drops everything, for libraries used without a logger. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
