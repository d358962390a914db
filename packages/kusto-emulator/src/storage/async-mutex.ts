/**
 * Serialises async work. Each database has one writer connection; DuckDB would reject concurrent
 * conflicting transactions on it anyway, so writers queue here instead of failing.
 */
export class AsyncMutex {
  private tail: Promise<unknown> = Promise.resolve();

  runExclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
