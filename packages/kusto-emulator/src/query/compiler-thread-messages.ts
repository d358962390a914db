import type {
  CompiledQuery,
  DatabaseSchema,
  KqlCompileErrorCode,
  QueryParameterValues,
} from '../compiler/compiler-types.js';

/**
 * What the engine and its compiler thread (compiler-thread.ts) say to each other: structured-clone friendly
 * data only. A schema crosses once per version: later requests name it by `schemaId`.
 */
export type CompilerThreadRequest =
  | {
      type: 'compile';
      id: number;
      kql: string;
      schemaId: number;
      /** Sent with the first request for a schema version; the thread keeps the last few. */
      schema?: DatabaseSchema;
      params: QueryParameterValues;
    }
  | { type: 'log-level'; level: string };

/** A KqlCompileError as it crosses the thread boundary (structured clone keeps no class). */
export interface TransferredCompileError {
  compileError: true;
  code: KqlCompileErrorCode;
  message: string;
  details: Record<string, unknown>;
}

export type CompilerThreadReply =
  | { type: 'compiled'; id: number; template: CompiledQuery }
  | {
      type: 'failed';
      id: number;
      error: TransferredCompileError | { compileError: false; message: string; stack?: string };
    };
