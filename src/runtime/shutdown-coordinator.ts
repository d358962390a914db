import type { Logger } from '../common/logging/logger.js';

export interface Closer {
  name: string;
  close(): Promise<void>;
}

/**
 * Thrown by the start-up when it finds the shutdown begun (a signal during start-up): nothing more is started,
 * and the shutdown in progress decides the exit code.
 */
export class StartInterrupted extends Error {
  override readonly name = 'StartInterrupted';

  constructor(readonly step: string) {
    super(`start-up interrupted by the shutdown before ${step}`);
  }
}

/**
 * Stops the process's parts in reverse order — on SIGTERM/SIGINT, on close(), or after a failed start — whichever
 * comes first, once. A shutdown during start-up aborts `signal` first: nothing starts after it, and a part still
 * starting ends its start early (its closer waits for that, not for the whole start-up). Exits 0 when everything
 * closed within the timeout, 1 otherwise; a second signal forces exit 1 at once.
 */
export class ShutdownCoordinator {
  private readonly closers: Closer[] = [];
  private readonly aborted = new AbortController();
  private running?: Promise<number>;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** True once shutdown() was called: nothing more may start. */
  get stopping(): boolean {
    return this.running !== undefined;
  }

  /** Aborted when the shutdown begins: the starts in progress end early. */
  get signal(): AbortSignal {
    return this.aborted.signal;
  }

  /** Registers a closer: they close in reverse order of registration. */
  add(closer: Closer): void {
    this.closers.push(closer);
  }

  /** Throws StartInterrupted, naming `nextStep`, once the shutdown has begun: nothing more may start. */
  assertStarting(nextStep: string): void {
    if (this.stopping) {
      throw new StartInterrupted(nextStep);
    }
  }

  installSignalHandlers(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.stopping) {
          this.logger.warn({ signal }, 'second signal: exiting immediately');
          this.exit(1);
          return;
        }
        void this.shutdown(signal).then((code) => this.exit(code));
      });
    }
  }

  /** Closes every started part once, last started first; resolves the exit code. Later calls share the first. */
  shutdown(reason: string): Promise<number> {
    if (!this.running) {
      // The closers run after the abort, so a part's closer finds its start already told to end.
      this.running = Promise.resolve().then(() => this.closeEverything(reason));
      this.aborted.abort(new StartInterrupted('the shutdown'));
    }
    return this.running;
  }

  private async closeEverything(reason: string): Promise<number> {
    this.logger.info({ reason, timeoutMs: this.timeoutMs }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    const closeAll = async (): Promise<'done'> => {
      for (const closer of [...this.closers].reverse()) {
        await this.closeOne(closer);
      }
      return 'done';
    };
    const outcome = await Promise.race([closeAll(), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.error(
        { timeoutMs: this.timeoutMs },
        'shutdown timed out; exiting with in-flight work abandoned',
      );
      return 1;
    }
    this.logger.info({}, 'shutdown complete');
    return 0;
  }

  /** Never rejects: a closer that fails is logged and the others still run. */
  private async closeOne(closer: Closer): Promise<void> {
    const started = Date.now();
    try {
      await closer.close();
      this.logger.info({ closer: closer.name, ms: Date.now() - started }, 'closed');
    } catch (error) {
      this.logger.error({ closer: closer.name, err: error }, 'failed to close cleanly');
    }
  }
}
