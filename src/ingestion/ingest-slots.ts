/** Bounds the batches ingested at once (INGEST_MAX_PARALLEL); a batch past the bound waits, in arrival order. */
export class IngestSlots {
  private running = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async acquire(): Promise<void> {
    while (this.running >= this.max) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.running++;
  }

  release(): void {
    this.running--;
    this.waiters.shift()?.();
  }
}
