/**
 * A part of kqlgate's process — the broker, the engine, the Kusto.Language host, the demo, the ingestion, the
 * gateway — as the host (part-host.ts) runs it: `start()` resolves once the part is ready for the parts after it
 * (its readiness), and the running part says what those need to know and how to close it. A module that defines a
 * part exports it as `part`; whether it runs in the main thread or in a worker is its declaration's choice
 * (kqlgate-parts.ts), the same code either way.
 */
export interface RunningPart<Facts> {
  /** What the parts after it need (where it listens…); structured-clone data for a part declared for a worker. */
  readonly facts: Facts;
  close(): Promise<void>;
}

export interface PartContext {
  /** Sends a report to the main thread (the declaration's onReport), wherever the part runs. */
  report(message: unknown): void;
  /**
   * Aborted when the process shuts down while the part starts: a start that waits (for a catalog analysis, an
   * engine) ends early, closing what it opened, and rejects. A start that only loads and opens may ignore it.
   */
  signal: AbortSignal;
}

export interface Part<Input, Facts> {
  start(input: Input, context: PartContext): Promise<RunningPart<Facts>>;
}
