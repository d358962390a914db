/**
 * `npm start`'s Kusto.Language thread (kql-thread-worker.ts): it compiles the embedded engine's KQL and analyzes
 * kql/ for the gateway, so the process pays Kusto.Language's start-up — over a second of CPU, the longest step
 * before the first event — once, and from the moment the process starts. Spawned by main.ts before anything else;
 * the engine's thread reaches it through `compilerPort`, the main thread's catalog analysis through `catalogPort`.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';

/** workerData of the thread. */
export interface KqlThreadData {
  compilerPort: MessagePort;
  catalogPort: MessagePort;
}

export interface KqlThread {
  /** The engine thread's end of the compiler channel: handed over (transferred) once, with the engine's start. */
  takeCompilerPort(): MessagePort;
  /** For RemoteCatalogAnalyzer.overPort. */
  readonly catalogPort: MessagePort;
  /** Reports a failure of the thread from now on (before, it is only remembered). */
  onFailure(report: (error: Error) => void): void;
  close(): Promise<void>;
}

export function spawnKqlThread(
  workerUrl: URL = new URL('./kql-thread-worker.js', import.meta.url),
): KqlThread {
  const compiler = new MessageChannel();
  const catalog = new MessageChannel();
  const workerData: KqlThreadData = { compilerPort: compiler.port2, catalogPort: catalog.port2 };
  const worker = new Worker(workerUrl, {
    workerData,
    transferList: [compiler.port2, catalog.port2],
    name: 'kqlgate-kql',
  });
  let taken = false;
  let failure: Error | undefined;
  let report: ((error: Error) => void) | undefined;
  worker.on('error', (error) => {
    // Whoever uses the thread sees its port close; this says why.
    failure = new Error(`kql thread: ${error.message}`);
    report?.(failure);
  });
  let closing: Promise<void> | undefined;
  return {
    takeCompilerPort: () => {
      if (taken) {
        throw new Error('kql thread: its compiler port was already handed to an engine');
      }
      taken = true;
      return compiler.port1;
    },
    catalogPort: catalog.port1,
    onFailure: (reporter: (error: Error) => void) => {
      report = reporter;
      if (failure) {
        reporter(failure);
      }
    },
    close: () => {
      // Kusto.Language is plain JavaScript (no native addon): stopping the thread mid-work is safe.
      closing ??= worker.terminate().then(() => undefined);
      return closing;
    },
  };
}
