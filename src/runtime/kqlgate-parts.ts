/**
 * What a kqlgate process runs, in order, closed in reverse. Each entry says where its part runs, whether this
 * configuration runs it, which earlier parts must be ready before it starts (the others start at once, so the
 * threads overlap), what it is given and what the parts after it learn from it. `npm start`, `kqlgate start` and
 * the tests all start this list (kqlgate-runtime.ts).
 *
 * 1. Kusto.Language host — first: its start-up is the longest CPU step, and the engine and the catalog queue on it.
 * 2. broker, 3. engine — the local stack, for what Azure does not provide (KQLGATE_ROLE=all only).
 * 4. demo — the simulated shop publishing events (DEMO_RATE > 0).
 * 5. ingestion — the Service Bus consumer (roles all and ingestion).
 * 6. gateway — the HTTP application of the role; with the embedded engine, it deploys kql/ to it.
 */
import { join, resolve } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PACKAGE_METRIC_PREFIXES } from '../common/metrics/metrics.registry.js';
import { EnvConfig } from '../config/env.dto.js';
import { servicebusEntitiesFile } from '../config/servicebus-entities-file.js';
import type { IngestionPipeline } from '../ingestion/ingestion-pipeline.js';
import type { RunningPart } from './part.js';
import { preparePart, type PartDeclaration, type PartHostOptions } from './part-host.js';
import type { BrokerInput } from './parts/broker.part.js';
import type { DemoInput, DemoPublishedReport } from './parts/demo.part.js';
import type { EngineInput } from './parts/engine.part.js';
import type { GatewayFacts, GatewayInput } from './parts/gateway.part.js';
import type { IngestionFacts, IngestionInput } from './parts/ingestion.part.js';
import type { KqlHostInput } from './parts/kql-host.part.js';
import { hasStoredAnalysis, storedAnalysisDir } from './stored-catalog-analyzer.js';

/** What the parts started so far have told the ones after them (main thread). */
export interface PartWiring {
  /** The configuration, with the ports the embedded services bound when it said 0. */
  config: EnvConfig;
  watchKql: boolean;
  /** The Kusto.Language host's ports: the engine's compiler channel and the gateway's catalog channel. */
  kql?: { compiler?: MessagePort; catalog: MessagePort };
  pipeline?: IngestionPipeline;
  /** Settles once the ingestion checked its routes' tables (after kql/ is deployed); rejects on a refused route. */
  ingestionChecked?: Promise<void>;
  /** With the embedded engine: resolved once the gateway has deployed kql/ to it (the ingestion waits for it). */
  kqlDeployed?: { promise: Promise<void>; resolve: () => void };
  gateway?: { app: NestFastifyApplication; url: string };
}

export interface KqlgatePart {
  readonly name: string;
  /** The parts (earlier in the list) that must be ready before this one starts. */
  readonly needs: readonly string[];
  /** Whether this configuration runs the part. */
  runs(config: EnvConfig): boolean;
  /** Begins loading the part's code where it runs; start() is called once the parts it needs are ready. */
  prepare(host: PartHostOptions): {
    start(wiring: PartWiring): Promise<RunningPart<unknown>>;
    discard(): Promise<void>;
  };
}

interface PartWiringSpec<Input, Facts> {
  needs?: readonly string[];
  runs: (config: EnvConfig) => boolean;
  /** What the part is given, from what the parts it needs have told. */
  input: (wiring: PartWiring) => Input;
  /** What the parts after it learn from it. */
  started?: (wiring: PartWiring, facts: Facts) => void;
}

function entry<Input, Facts>(
  declaration: PartDeclaration<Input, Facts>,
  spec: PartWiringSpec<Input, Facts>,
): KqlgatePart {
  return {
    name: declaration.name,
    needs: spec.needs ?? [],
    runs: spec.runs,
    prepare(host) {
      const prepared = preparePart(declaration, host);
      return {
        async start(wiring) {
          const running = await prepared.start(spec.input(wiring));
          spec.started?.(wiring, running.facts);
          return running;
        },
        discard: () => prepared.discard(),
      };
    },
  };
}

/** A copy of the frozen configuration with one embedded service's bound port. */
function withPort(config: EnvConfig, key: 'KUSTO_EMBEDDED_PORT' | 'SERVICEBUS_EMBEDDED_PORT', port: number) {
  return config[key] === port
    ? config
    : Object.freeze(Object.assign(new EnvConfig(), config, { [key]: port }));
}

const localStack = (config: EnvConfig): boolean => config.KQLGATE_ROLE === 'all';
const engineRuns = (config: EnvConfig): boolean => localStack(config) && config.kustoEmbedded;

let demoPublished: Promise<(report: DemoPublishedReport) => void> | undefined;

/** Types a declaration (its literal `runsIn` and its input and facts) where it is written. */
function declare<Input, Facts>(declaration: PartDeclaration<Input, Facts>): PartDeclaration<Input, Facts> {
  return declaration;
}

/** Where each part's code is and where it runs. */
export const PART_DECLARATIONS = {
  kqlHost: declare<KqlHostInput, Record<string, never>>({
    name: 'Kusto.Language host',
    runsIn: 'worker',
    moduleUrl: new URL('./parts/kql-host.part.js', import.meta.url),
    load: () => import('./parts/kql-host.part.js'),
  }),
  broker: declare<BrokerInput, { port: number }>({
    name: 'embedded Service Bus broker',
    runsIn: 'worker',
    moduleUrl: new URL('./parts/broker.part.js', import.meta.url),
    load: () => import('./parts/broker.part.js'),
  }),
  engine: declare<EngineInput, { url: string; port: number }>({
    name: 'embedded Kusto engine',
    runsIn: 'worker',
    moduleUrl: new URL('./parts/engine.part.js', import.meta.url),
    load: () => import('./parts/engine.part.js'),
  }),
  demo: declare<DemoInput, Record<string, never>>({
    name: 'demo',
    runsIn: 'worker',
    moduleUrl: new URL('./parts/demo.part.js', import.meta.url),
    load: () => import('./parts/demo.part.js'),
    onReport: (message) => {
      // The counter alone (not the demo, nor SQLite), in this thread's /metrics.
      demoPublished ??= import('@kqlgate/demo-shop/metrics').then(({ demoEventsPublished }) => {
        const counter = demoEventsPublished({ prefix: PACKAGE_METRIC_PREFIXES.demoShop });
        return ({ byType }) => {
          for (const [type, count] of Object.entries(byType)) {
            counter.inc({ type }, count);
          }
        };
      });
      void demoPublished.then((count) => count(message as DemoPublishedReport));
    },
  }),
  ingestion: declare<IngestionInput, IngestionFacts>({
    name: 'ingestion',
    runsIn: 'main',
    moduleUrl: new URL('./parts/ingestion.part.js', import.meta.url),
    load: () => import('./parts/ingestion.part.js'),
  }),
  gateway: declare<GatewayInput, GatewayFacts>({
    name: 'gateway',
    runsIn: 'main',
    moduleUrl: new URL('./parts/gateway.part.js', import.meta.url),
    load: () => import('./parts/gateway.part.js'),
  }),
};

export const KQLGATE_PARTS: readonly KqlgatePart[] = [
  entry(PART_DECLARATIONS.kqlHost, {
    runs: (config) => config.KQLGATE_ROLE !== 'ingestion',
    input: (wiring) => {
      const catalog = new MessageChannel();
      const compiler = engineRuns(wiring.config) ? new MessageChannel() : undefined;
      wiring.kql = { catalog: catalog.port1, compiler: compiler?.port1 };
      return { catalogPort: catalog.port2, compilerPort: compiler?.port2 };
    },
  }),
  entry(PART_DECLARATIONS.broker, {
    runs: (config) => localStack(config) && config.serviceBusEmbedded,
    input: ({ config }) => ({
      host: '127.0.0.1',
      port: config.SERVICEBUS_EMBEDDED_PORT,
      dataDir: join(resolve(config.DATA_DIR), 'servicebus'),
      configFile: servicebusEntitiesFile(),
    }),
    started: (wiring, { port }) => {
      wiring.config = withPort(wiring.config, 'SERVICEBUS_EMBEDDED_PORT', port);
    },
  }),
  entry(PART_DECLARATIONS.engine, {
    needs: [PART_DECLARATIONS.kqlHost.name],
    runs: engineRuns,
    input: ({ config, kql }) => {
      if (!kql?.compiler) {
        throw new Error('the embedded Kusto engine needs the Kusto.Language host, which did not start');
      }
      return {
        host: '127.0.0.1',
        port: config.KUSTO_EMBEDDED_PORT,
        dataDir: join(resolve(config.DATA_DIR), 'kusto'),
        databases: [config.KUSTO_DATABASE],
        memoryLimit: config.KUSTO_EMBEDDED_MEMORY_LIMIT,
        // Queued ingestion (queued mode, managed's fallback) needs the data-management endpoint and its storage.
        dataManagement: config.KUSTO_INGEST_MODE !== 'streaming',
        // Reference files kql/ external tables name as file:<path> (the embedded engine's local form).
        externalDataRoot: join(resolve(config.KQL_DIR), 'reference'),
        compilerPort: kql.compiler,
        // Kusto.Language's start-up (2 s of CPU) ahead of the analysis of kql/ on a first start; not on a restart,
        // which takes the catalog from the stored analysis and needs no Kusto.Language before listening.
        warmUpCompiler: !hasStoredAnalysis(storedAnalysisDir(config.DATA_DIR)),
      };
    },
    started: (wiring, { port }) => {
      wiring.config = withPort(wiring.config, 'KUSTO_EMBEDDED_PORT', port);
      let deployed: () => void = () => undefined;
      const promise = new Promise<void>((resolveDeployed) => {
        deployed = resolveDeployed;
      });
      wiring.kqlDeployed = { promise, resolve: deployed };
    },
  }),
  entry(PART_DECLARATIONS.demo, {
    needs: [PART_DECLARATIONS.broker.name],
    runs: (config) => localStack(config) && config.DEMO_RATE > 0 && !!config.serviceBusConnectionString,
    input: ({ config }) => ({
      connectionString: config.serviceBusConnectionString ?? '',
      topic: config.SERVICEBUS_TOPIC,
      rate: config.DEMO_RATE,
      seed: config.DEMO_SEED,
      dataDir: resolve(config.DATA_DIR),
      backfillDays: config.DEMO_BACKFILL_DAYS,
      backfillEvents: config.DEMO_BACKFILL_EVENTS,
    }),
  }),
  entry(PART_DECLARATIONS.ingestion, {
    needs: [PART_DECLARATIONS.broker.name, PART_DECLARATIONS.engine.name],
    runs: (config) => config.KQLGATE_ROLE !== 'gateway',
    input: ({ config, kqlDeployed }) => ({ config, ingestAfter: kqlDeployed?.promise }),
    started: (wiring, { pipeline, checked }) => {
      wiring.pipeline = pipeline;
      wiring.ingestionChecked = checked;
    },
  }),
  entry(PART_DECLARATIONS.gateway, {
    needs: [PART_DECLARATIONS.kqlHost.name, PART_DECLARATIONS.engine.name, PART_DECLARATIONS.ingestion.name],
    runs: () => true,
    input: (wiring) => ({
      config: wiring.config,
      role: wiring.config.KQLGATE_ROLE,
      watchKql: wiring.watchKql,
      pipeline: wiring.pipeline,
      catalogPort: wiring.kql?.catalog,
      onKqlDeployed: wiring.kqlDeployed?.resolve,
    }),
    started: (wiring, facts) => {
      wiring.gateway = facts;
    },
  }),
];
