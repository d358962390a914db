/**
 * Public entry @kqlgate/kusto-emulator/compiler: the KQL → DuckDB compiler on its own (kql-compiler.ts draws its
 * stages), for tools and benchmarks that compile without running the engine. Loading it loads Kusto.Language.
 */
export {
  bindSlots,
  compileKql,
  compileKqlTemplate,
  decodeCell,
  decodeRows,
  duckDbSetupSql,
  duckDbTypeOf,
  KqlCompileError,
} from './kql-compiler.js';
export { setCompilerLogger } from './compiler-log.js';
export { registerJsScalarFunctions } from './sql/functions/js-scalar-functions.js';
export type {
  ColumnSchema,
  CompiledQuery,
  CompiledStatement,
  CompileOptions,
  DatabaseSchema,
  FunctionParameterSchema,
  KqlCompileErrorCode,
  KustoScalarType,
  QueryParameterValues,
  StoredFunctionSchema,
  TableColumnSchema,
  TableSchema,
} from './compiler-types.js';
