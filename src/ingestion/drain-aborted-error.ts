/**
 * Raised where a batch stops waiting because stop() gave up on the drain (its drain timeout passed): in the retry
 * loops, and while a queued ingestion waits for its commit. The batch's messages are abandoned for redelivery.
 */
export class DrainAbortedError extends Error {
  override readonly name = 'DrainAbortedError';
}
