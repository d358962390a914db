/**
 * Who still waits for each engine query the gateway runs, so that a query nobody waits for any more is cancelled
 * on the engine instead of running to its timeout.
 *
 * Callers of one function with the same parameter values share one engine query (the result cache coalesces
 * them), so a caller going away cancels the query only when it was the last one waiting: callers are counted per
 * call identity (function + parameter values), and the engine queries started for that identity are aborted when
 * the count drops to zero because a caller left — not when the last one was simply answered. A query started for a
 * stale-while-revalidate refresh, which no caller awaits, runs on.
 *
 * The gateway's shutdown aborts whatever is still running (abortAll).
 */
export class InflightEngineCalls {
  private readonly demands = new Map<string, { waiters: number; loads: Set<AbortController> }>();
  private readonly running = new Set<AbortController>();

  /**
   * A caller of `key` arrives; `signal` aborts if it goes away. Returns `leave`, to call once it has its answer
   * (or error): leaving that way never cancels anything.
   */
  join(key: string, signal: AbortSignal | undefined, callersGone: () => Error): () => void {
    let demand = this.demands.get(key);
    if (!demand) {
      demand = { waiters: 0, loads: new Set() };
      this.demands.set(key, demand);
    }
    const joined = demand;
    joined.waiters += 1;
    let left = false;
    const leave = (gone: boolean): void => {
      if (left) {
        return;
      }
      left = true;
      signal?.removeEventListener('abort', onAbort);
      joined.waiters -= 1;
      if (joined.waiters > 0) {
        return;
      }
      if (this.demands.get(key) === joined) {
        this.demands.delete(key);
      }
      if (gone) {
        const reason = callersGone();
        joined.loads.forEach((load) => load.abort(reason));
      }
    };
    const onAbort = (): void => leave(true);
    // A signal aborted already never fires again: the caller checks `aborted` before it joins.
    signal?.addEventListener('abort', onAbort, { once: true });
    return () => leave(false);
  }

  /** An engine query starts for `key`: its controller aborts when every caller left, or on abortAll. */
  startLoad(key: string): { signal: AbortSignal; end(): void } {
    const controller = new AbortController();
    const demand = this.demands.get(key);
    demand?.loads.add(controller);
    this.running.add(controller);
    return {
      signal: controller.signal,
      end: () => {
        demand?.loads.delete(controller);
        this.running.delete(controller);
      },
    };
  }

  get size(): number {
    return this.running.size;
  }

  abortAll(reason: Error): number {
    const count = this.running.size;
    this.running.forEach((controller) => controller.abort(reason));
    return count;
  }
}
