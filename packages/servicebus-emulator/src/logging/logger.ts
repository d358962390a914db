/**
 * What the broker logs through. A pino logger satisfies it, and so does a host's own logger or a test spy: the
 * broker never creates a logger itself (the `servicebus-emulator` command line does, see cli/). Without one it is
 * silent.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** Drops everything: the default when no logger is given. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
