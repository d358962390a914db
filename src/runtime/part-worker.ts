/**
 * Worker-thread entry of any part the host runs in a worker (part-host.ts): imports the part's module at once, so
 * it loads while the thread waits for 'start', then runs the part exactly as the main thread would.
 *
 * Why workers at all: the engine (DuckDB, ingesting), the broker (every event moved twice), the demo (a week of
 * history generated and published) and Kusto.Language (over a second of CPU to start, then every analysis) would
 * otherwise queue behind each other and behind the gateway in one event loop; in threads they overlap on the
 * machine's cores. Each is still reached only through its protocol (Kusto REST, AMQP, a MessagePort).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { setLogLevel } from '../common/logging/logger.js';
import type { Part } from './part.js';
import type { PartReply, PartWorkerData } from './part-messages.js';
import { partRequestHandler } from './part-requests.js';

function run(port: MessagePort): void {
  const { moduleUrl } = workerData as PartWorkerData;
  let part: Part<unknown, unknown> | undefined;
  // A module that fails to load is reported when 'start' arrives, as that start's failure.
  const preloaded = (import(moduleUrl) as Promise<{ part: Part<unknown, unknown> }>).then(
    (module) => {
      part = module.part;
      return undefined;
    },
    (error: unknown) => error,
  );
  const reply = (message: PartReply): void => port.postMessage(message);
  port.on(
    'message',
    partRequestHandler({
      preloaded,
      startPart: (request, signal) => {
        setLogLevel(request.logLevel);
        if (!part) {
          return Promise.reject(new Error(`${moduleUrl} exports no part`));
        }
        return part.start(request.input, { report: (message) => reply({ type: 'report', message }), signal });
      },
      reply,
      done: () => port.close(),
    }),
  );
}

if (!parentPort) {
  throw new Error('part-worker must run in a worker thread (started by part-host.ts)');
}
run(parentPort);
