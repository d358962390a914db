import type { MessagePort } from 'node:worker_threads';

/**
 * What the main thread and a background worker thread (see background-thread-worker.ts) say to each other. Plain,
 * structured-clone friendly data only: the embedded services are reached through their network protocols (Kusto
 * REST, AMQP) and the demo producer talks to the broker, exactly as when they run in the main thread.
 */

export interface EmbeddedKustoSpec {
  service: 'kusto';
  host: string;
  port: number;
  dataDir: string;
  databases: string[];
  /** DuckDB memory limit per database (KUSTO_EMBEDDED_MEMORY_LIMIT). */
  memoryLimit?: string;
}

export interface EmbeddedServiceBusSpec {
  service: 'servicebus';
  host: string;
  port: number;
  dataDir: string;
  /** The entities, a Config.json of Microsoft's emulator (config/servicebus-emulator.json). */
  configFile: string;
}

/** The demo OLTP producer (DemoProducer's options that can cross a thread boundary). */
export interface DemoProducerSpec {
  service: 'demo';
  connectionString: string;
  topic: string;
  rate: number;
  seed: number;
  dataDir: string;
  backfillDays: number;
  backfillEvents: number;
}

export type BackgroundThreadSpec = EmbeddedKustoSpec | EmbeddedServiceBusSpec | DemoProducerSpec;

export type BackgroundService = BackgroundThreadSpec['service'];

/** workerData of a background worker thread: which part it will run (it loads that part's modules at once). */
export interface BackgroundThreadData {
  service: BackgroundService;
}

/** Main thread → worker. */
export type BackgroundThreadRequest =
  | {
      type: 'start';
      spec: BackgroundThreadSpec;
      logLevel: string;
      /**
       * Engine thread only: its end of the channel to the Kusto.Language thread (kql-thread.ts), which compiles
       * the engine's KQL. Without it the engine compiles in its own thread.
       */
      compilerPort?: MessagePort;
    }
  | { type: 'close' };

/** Worker → main thread. */
export type BackgroundThreadReply =
  | { type: 'ready'; url: string; port: number }
  /** The part finished its start-up work after 'ready' (the engine's compiler warm-up). */
  | { type: 'warmed-up' }
  | { type: 'closed' }
  | { type: 'failed'; message: string; stack?: string }
  /** Events the demo producer published since its previous report, by type (for the main thread's /metrics). */
  | { type: 'published'; byType: Record<string, number> };
