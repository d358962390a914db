/**
 * The compiler thread's side of compiler-thread.ts: answers compile requests one at a time with the KQL → DuckDB
 * compiler. Kusto.Language's one-time start-up (over a second of CPU) is paid by the first request, not when the
 * thread starts serving: `npm start` serves from the Kusto.Language host, which on a restart (the catalog taken
 * from the stored analysis) has nothing else to load it for before the gateway listens. An engine that wants it
 * paid earlier sends a warm-up query (startKustoEmulator's `warmUpCompiler`).
 */
import type { MessagePort } from 'node:worker_threads';
import { setCompilerLogger } from '../compiler/compiler-log.js';
import type { DatabaseSchema } from '../compiler/compiler-types.js';
import { compileKqlTemplate, KqlCompileError } from '../compiler/kql-compiler.js';
import type { CompilerThreadReply, CompilerThreadRequest } from './compiler-thread-messages.js';
import { silentLogger, type Logger } from '../logging/logger.js';

/** Schema versions kept for requests that name them by id; the engine sends one again if it was dropped. */
const MAX_KEPT_SCHEMAS = 8;

export interface CompileServerOptions {
  /** Where the compiler logs (each newly compiled query at debug level); default: nowhere. */
  logger?: Logger;
  /** Applies the log level the engine's side sends (CompilerThread.setLogLevel) to `logger`. */
  setLogLevel?(level: string): void;
}

export function serveCompileRequests(port: MessagePort, options: CompileServerOptions = {}): void {
  const logger = options.logger ?? silentLogger;
  setCompilerLogger(logger);
  const schemas = new Map<number, DatabaseSchema>();
  const reply = (message: CompilerThreadReply): void => port.postMessage(message);

  port.on('message', (request: CompilerThreadRequest) => {
    if (request.type === 'log-level') {
      options.setLogLevel?.(request.level);
      return;
    }
    if (request.type !== 'compile') {
      return;
    }
    if (request.schema) {
      schemas.delete(request.schemaId);
      schemas.set(request.schemaId, request.schema);
      for (const id of schemas.keys()) {
        if (schemas.size <= MAX_KEPT_SCHEMAS) {
          break;
        }
        schemas.delete(id);
      }
    }
    const schema = schemas.get(request.schemaId);
    try {
      if (!schema) {
        throw new Error(`schema version ${request.schemaId} is not known to the compiler thread`);
      }
      reply({
        type: 'compiled',
        id: request.id,
        template: compileKqlTemplate(request.kql, schema, request.params),
      });
    } catch (error) {
      reply({
        type: 'failed',
        id: request.id,
        error:
          error instanceof KqlCompileError
            ? { compileError: true, code: error.code, message: error.message, details: error.details }
            : {
                compileError: false,
                message: error instanceof Error ? error.message : String(error),
                stack: error instanceof Error ? error.stack : undefined,
              },
      });
    }
  });
}
