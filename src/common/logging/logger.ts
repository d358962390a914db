import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import pino from 'pino';
import type { PrettyOptions, PrettyStream } from 'pino-pretty';
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

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * LOG_FORMAT when it names a format; otherwise pretty lines on a terminal and JSON lines anywhere else (a container,
 * a pipe, a file: whatever collects them parses JSON). The default asks file descriptor 1, not `process.stdout`:
 * the answer is the same in the worker threads (the embedded engine and broker), whose `process.stdout` is a pipe to
 * the main thread, so every thread of a process writes the same format. A bad LOG_FORMAT falls back to the default
 * here; the configuration check (env.dto.ts) stops start-up on it.
 */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env, stdoutIsTty = isatty(1)): LogFormat {
  const format = LOG_FORMATS.find((name) => name === env.LOG_FORMAT);
  if (format) {
    return format;
  }
  return stdoutIsTty ? 'pretty' : 'json';
}

let root: pino.Logger | undefined;

/**
 * The process-wide pino root logger: JSON lines on stdout, or pretty ones (see logFormatFromEnv). Its serializers
 * and log-method hook keep query strings out of every line, also of the lines Fastify and Nest write through it
 * (see log-privacy.ts); the pretty stream only renders those same scrubbed lines.
 */
export function rootLogger(): pino.Logger {
  if (!root) {
    const options: pino.LoggerOptions = {
      level: logLevelFromEnv(),
      base: { service: 'kqlgate' },
      ...privateLoggerOptions,
    };
    root = logFormatFromEnv() === 'pretty' ? pino(options, prettyStream()) : pino(options);
  }
  return root;
}

/**
 * pino-pretty as a stream in this thread (a pino transport would add a thread to every process and thread that
 * logs), loaded only when pretty lines are chosen: with JSON neither it nor its dependencies are ever loaded. Its
 * writes are synchronous, so a line logged just before `process.exit()` reaches the terminal, from a worker thread
 * too.
 */
function prettyStream(): PrettyStream {
  const require = createRequire(import.meta.url);
  const { build } = require('pino-pretty') as { build: (options: PrettyOptions) => PrettyStream };
  return build({
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // One line per event (an error's stack still follows on its own lines), its fields after the message.
    singleLine: true,
    // kqlgate's components and Nest's contexts lead the message instead of trailing it as fields.
    ignore: 'pid,hostname,service,component,context',
    messageFormat: '{if component}{component}: {end}{if context}{context}: {end}{msg}',
  });
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
