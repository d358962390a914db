/**
 * Runs the engine's KQL → DuckDB compiler in a worker thread of its own.
 *
 * Why: Kusto.Language's one-time start-up costs over a second of CPU, and every new query text or schema costs
 * its analysis (tens of milliseconds for an update policy). In the engine's thread that work blocks everything
 * else the engine does — `npm start` creates its tables and mappings (DuckDB work, mostly waiting on the disk)
 * only after the start-up is paid. In a thread of its own the two overlap.
 *
 * `startCompilerThread` spawns the thread; `connectCompilerThread` uses one that a host started (npm start spawns
 * it with the process, before the engine's own thread, and hands the engine a port to it).
 *
 * The thread returns templates (compiled SQL with slots for `now()` and parameter values); they are cached here
 * per schema version, and each call's values are bound here (`bindSlots`), so a repeated query never crosses
 * the thread boundary.
 */
import { Worker, type MessagePort } from 'node:worker_threads';
import { silentLogger, type Logger } from '../logging/logger.js';
import type {
  CompiledQuery,
  CompileOptions,
  DatabaseSchema,
  QueryParameterValues,
} from '../compiler/compiler-types.js';
import { KqlCompileError } from '../compiler/kql-compile-error.js';
import { decodeCell } from '../compiler/result-decoder.js';
import { bindSlots } from '../compiler/slot-binding.js';
import { duckDbSetupSql } from '../compiler/sql/duckdb-setup.js';
import { asTempMacro } from './compiler-loader.js';
import type { CompilerThreadReply, CompilerThreadRequest } from './compiler-thread-messages.js';
import type { QueryCompiler, QueryCompilerLoader } from './query-compiler.js';

/** Templates kept per schema version (the same bound as the in-thread compiler's cache). */
const MAX_TEMPLATES_PER_SCHEMA = 500;

export interface CompilerThreadOptions {
  /** The thread's entry; default compiler-thread-worker.js (which serves compile requests on its parent port). */
  workerUrl?: URL;
  logger?: Logger;
}

export interface CompilerThread {
  /** For startKustoEmulator's `compilerLoader`. */
  loader: QueryCompilerLoader;
  setLogLevel(level: string): void;
  /** Stops using the thread (and stops it, if this side started it); compiles still waiting fail. */
  close(): Promise<void>;
}

type Pending = { resolve(template: CompiledQuery): void; reject(error: Error): void };

/** What a Worker and a MessagePort both offer. */
interface Channel {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (reply: CompilerThreadReply) => void): unknown;
}

function deepFreeze(template: CompiledQuery): CompiledQuery {
  return Object.freeze({
    ...(template.externalSources ? { externalSources: Object.freeze(template.externalSources) } : {}),
    statements: Object.freeze(
      template.statements.map((s) =>
        Object.freeze({
          ...s,
          parameters: Object.freeze([...s.parameters]),
          resultSchema: s.resultSchema.map((c) => Object.freeze({ ...c })),
        }),
      ),
    ),
  });
}

/** Spawns a compiler thread of its own (tests, and any host that does not start one itself). */
export function startCompilerThread(options: CompilerThreadOptions = {}): CompilerThread {
  const logger = options.logger ?? silentLogger;
  const worker = new Worker(options.workerUrl ?? new URL('./compiler-thread-worker.js', import.meta.url), {
    name: 'kqlgate-kql-compiler',
  });
  const compiler = compilerOver(worker, async () => {
    // Kusto.Language is plain JavaScript (no native addon), so stopping the thread mid-work is safe.
    await worker.terminate();
  });
  worker.on('error', (error) => {
    logger.error(
      { err: error },
      'the KQL compiler thread failed; queries and update policies cannot compile',
    );
    compiler.stop(new Error(`KQL compiler thread failed: ${error.message}`));
  });
  worker.on('exit', (code) => {
    compiler.stop(new Error(`KQL compiler thread stopped (exit code ${code})`));
  });
  return compiler.thread;
}

/** Uses a compiler thread a host started, through a port on which it serves compile requests. */
export function connectCompilerThread(port: MessagePort): CompilerThread {
  const compiler = compilerOver(port, () => {
    port.close();
    return Promise.resolve();
  });
  // The host stopped the thread (or it died): compiles waiting and to come fail with this.
  port.on('close', () => compiler.stop(new Error('KQL compiler thread stopped')));
  return compiler.thread;
}

function compilerOver(
  channel: Channel,
  release: () => Promise<void>,
): { thread: CompilerThread; stop(error: Error): void } {
  const pending = new Map<number, Pending>();
  const schemaIds = new WeakMap<DatabaseSchema, number>();
  const templates = new WeakMap<DatabaseSchema, Map<string, Promise<CompiledQuery>>>();
  let nextId = 1;
  let nextSchemaId = 1;
  let stopped: Error | undefined;
  let closing: Promise<void> | undefined;

  const stop = (error: Error): void => {
    stopped ??= error;
    for (const waiting of pending.values()) {
      waiting.reject(stopped);
    }
    pending.clear();
  };
  channel.on('message', (reply: CompilerThreadReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) {
      return;
    }
    pending.delete(reply.id);
    if (reply.type === 'compiled') {
      waiting.resolve(deepFreeze(reply.template));
      return;
    }
    const { error } = reply;
    if (error.compileError) {
      waiting.reject(KqlCompileError.revive(error.code, error.message, error.details));
    } else {
      const failure = new Error(`KQL compiler thread: ${error.message}`);
      failure.stack = `${failure.message}\n  in the thread: ${error.stack ?? ''}`;
      waiting.reject(failure);
    }
  });

  const request = (
    kql: string,
    schema: DatabaseSchema,
    params: QueryParameterValues,
  ): Promise<CompiledQuery> => {
    if (stopped) {
      return Promise.reject(stopped);
    }
    const id = nextId++;
    let schemaId = schemaIds.get(schema);
    const message: CompilerThreadRequest = { type: 'compile', id, kql, schemaId: schemaId ?? 0, params };
    if (schemaId === undefined) {
      schemaId = nextSchemaId++;
      schemaIds.set(schema, schemaId);
      message.schemaId = schemaId;
      message.schema = schema;
    }
    return new Promise<CompiledQuery>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      channel.postMessage(message);
    });
  };

  const template = (
    kql: string,
    schema: DatabaseSchema,
    params: QueryParameterValues,
  ): Promise<CompiledQuery> => {
    let cache = templates.get(schema);
    if (!cache) {
      cache = new Map();
      templates.set(schema, cache);
    }
    // The template depends on which parameters are supplied, not on their values (as in the thread's own cache).
    const key = `${Object.keys(params).sort().join(',')}\u0000${kql}`;
    const cached = cache.get(key);
    if (cached) {
      cache.delete(key);
      cache.set(key, cached);
      return cached;
    }
    const compiled = request(kql, schema, params);
    // Concurrent identical compiles share one request; a failure is not kept (the next call retries).
    compiled.catch(() => cache.delete(key));
    if (cache.size >= MAX_TEMPLATES_PER_SCHEMA) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) {
        cache.delete(oldest);
      }
    }
    cache.set(key, compiled);
    return compiled;
  };

  const compiler: QueryCompiler = {
    compileKql: async (
      kql: string,
      db: DatabaseSchema,
      params: QueryParameterValues = {},
      opts: CompileOptions = {},
    ) => bindSlots(await template(kql, db, params), params, opts.now ?? new Date()),
    duckDbSetupSql: () => duckDbSetupSql().map(asTempMacro),
    cellDecoder: (type) => (value) => decodeCell(value, type),
  };
  const loaded = Promise.resolve(compiler);

  return {
    stop,
    thread: {
      loader: () => loaded,
      setLogLevel: (level) => {
        const message: CompilerThreadRequest = { type: 'log-level', level };
        channel.postMessage(message);
      },
      close: () => {
        closing ??= (async () => {
          stop(new Error('KQL compiler thread closed'));
          await release();
        })();
        return closing;
      },
    },
  };
}
