/**
 * What the host and a part's worker thread (part-worker.ts) say to each other: start, close, and the answers.
 * Plain structured-clone data; MessagePorts in a part's input are transferred.
 */

/** workerData of a part's worker thread. */
export interface PartWorkerData {
  /** The module that exports the part (`part`). */
  moduleUrl: string;
  /** The part's name, for errors. */
  name: string;
}

/** Host → worker. */
export type PartRequest = { type: 'start'; input: unknown; logLevel: string } | { type: 'close' };

/** Worker → host. */
export type PartReply =
  | { type: 'ready'; facts: unknown }
  | { type: 'closed' }
  | { type: 'failed'; message: string; stack?: string }
  | { type: 'report'; message: unknown };
