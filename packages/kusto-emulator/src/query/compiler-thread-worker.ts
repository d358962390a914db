/** Entry of the engine's compiler thread (see compiler-thread.ts). */
import { parentPort } from 'node:worker_threads';
import { serveCompileRequests } from './compiler-thread-server.js';

if (!parentPort) {
  throw new Error('compiler-thread-worker must run in a worker thread (started by compiler-thread.ts)');
}
serveCompileRequests(parentPort);
