import type { Logger } from '../common/logging/logger.js';

export interface Closer {
  name: string;
  close(): Promise<void>;
}

/**
 * Thrown by a start-up step that finds the shutdown begun (a signal during start-up): nothing more is started,
 * and the shutdown in progress decides the exit code.
 */
export class StartInterrupted extends Error {
  override readonly name = 'StartInterrupted';

  constructor(readonly step: string) {
    super(`start-up interrupted by the shutdown before ${step}`);
  }
}

/**
 * Stops the process in order on SIGTERM/SIGINT: closers run last-registered first (the gateway stops accepting
 * and drains before the ingestion and the embedded stores below it close). Exits 0 when everything closed within
 * the timeout, 1 otherwise — a second signal forces exit 1 at once.
 */
export class ShutdownCoordinator {
  private readonly closers: Closer[] = [];
  /** Closed before every other closer, whenever they were added (the demo producer: the "OLTP app"). */
  private readonly firstClosers: Closer[] = [];
  private shuttingDown = false;
  private running?: Promise<number>;
  /** Closers added once the shutdown had begun, already closing: the shutdown waits for them too. */
  private readonly lateClosings: Promise<void>[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  /** `closeFirst`: close it before everything else, even what is added later (a load source such as the demo). */
  add(closer: Closer, options: { closeFirst?: boolean } = {}): void {
    if (this.running) {
      // A part that finished starting after the signal: the closers' pass may be over already, so close it now.
      this.lateClosings.push(this.closeOne(closer));
      return;
    }
    (options.closeFirst ? this.firstClosers : this.closers).push(closer);
  }

  /** True once shutdown() was called: a part still starting should not start anything more. */
  get stopping(): boolean {
    return this.running !== undefined;
  }

  /** For start-up steps: throws StartInterrupted, naming `nextStep`, once shutdown() was called. */
  assertStarting(nextStep: string): void {
    if (this.stopping) {
      throw new StartInterrupted(nextStep);
    }
  }

  installSignalHandlers(): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.shuttingDown) {
          this.logger.warn({ signal }, 'second signal: exiting immediately');
          this.exit(1);
          return;
        }
        void this.shutdown(signal).then((code) => this.exit(code));
      });
    }
  }

  /** Runs every closer once; resolves the exit code. A second call (a failed start during a shutdown) waits for the first. */
  shutdown(reason: string): Promise<number> {
    this.running ??= this.closeEverything(reason);
    return this.running;
  }

  private async closeEverything(reason: string): Promise<number> {
    this.shuttingDown = true;
    this.logger.info({ reason, timeoutMs: this.timeoutMs }, 'shutting down');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    const closeAll = async (): Promise<'done'> => {
      for (const closer of [...[...this.firstClosers].reverse(), ...[...this.closers].reverse()]) {
        await this.closeOne(closer);
      }
      // Late closers may add none or more while awaited; wait until none is left.
      for (let waited = 0; waited < this.lateClosings.length; waited = this.lateClosings.length) {
        await Promise.all(this.lateClosings.slice(waited));
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
