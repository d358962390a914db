/** Resolves once `signal` aborts (never rejects): the shutdown's end to a wait that cannot itself be cancelled. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
