import type {
  ColumnDeclaration,
  FunctionCommand,
  KqlCommand,
  KustoScalarType,
  SourcePosition,
  TableCommand,
} from '@kqlgate/kql-language';
import type { ParameterRange } from './parameter-range.js';

/** How a function is offered to callers; declared in its file's `// @expose` header (docs/functions.md). */
export interface Exposure {
  /** A caller needs at least one of these roles; empty → any authenticated caller. */
  roles: string[];
  /** A caller needs at least one of these scopes; empty → no scope check. */
  scopes: string[];
  /** Callers without credentials may call it. */
  anonymous: boolean;
  cacheTtlMs: number;
  /**
   * How long after `cacheTtlMs` an expired result may still be served while one background refresh runs
   * (stale-while-revalidate); 0 → expired results are never served. Only meaningful with a cache TTL.
   */
  staleWhileRevalidateMs: number;
  /** Rate-limit points one call costs. */
  cost: number;
  /** Server-side timeout sent as `servertimeout`. */
  timeoutMs: number;
  /** At most this many rows are returned; more are cut and `meta.truncated` says so. */
  maxRows: number;
  /**
   * How often at most a live stream of the function re-runs it after ingestion (`live=`); absent → the cache TTL.
   * See src/modules/live.
   */
  liveIntervalMs?: number;
}

/** A parameter filled from the caller's identity rather than from the request. */
export interface ParameterBinding {
  claim: string;
}

export interface CatalogParameter {
  name: string;
  type: KustoScalarType;
  /** The default as written in KQL, e.g. `1h`. */
  defaultText?: string;
  /** The default as a JSON value (timespans and datetimes as strings), when it is a plain literal. */
  defaultValue?: unknown;
  /** True when the caller must supply it (no default and not bound to a claim). */
  required: boolean;
  binding?: ParameterBinding;
  /** Bounds a caller's value must keep (`// @param name min=… max=…`), checked before the engine is called. */
  range?: ParameterRange;
}

/** How the explorer draws a result (`// @chart`, see chart-directive.ts). */
export type ChartKind = 'timechart' | 'linechart' | 'columnchart' | 'barchart';

export interface ChartSpec {
  kind: ChartKind;
  /** The column along the x axis; absent → the explorer picks the first datetime (or string) column. */
  x?: string;
  /** The plotted columns; absent → every numeric column. */
  y?: string[];
}

export interface CatalogFunction {
  name: string;
  docString?: string;
  folder?: string;
  /** Path relative to the kql/ directory, e.g. `functions/FraudScores.kql`. */
  file: string;
  position: SourcePosition;
  parameters: CatalogParameter[];
  outputColumns: ColumnDeclaration[];
  /** Every table the function reads, through the stored functions it calls too (cache invalidation keys on it). */
  tables: string[];
  /** Undefined → deployed but not offered over GraphQL/REST. */
  exposure?: Exposure;
  /** Declared by `// @chart`; absent → the explorer picks a chart from the output types. */
  chart?: ChartSpec;
  command: FunctionCommand;
}

export type DiagnosticSeverity = 'error' | 'warning';

export interface CatalogDiagnostic {
  severity: DiagnosticSeverity;
  code: string;
  message: string;
  position: SourcePosition;
}

export interface CatalogCommand {
  file: string;
  position: SourcePosition;
  command: KqlCommand;
}

/** One consistent, immutable view of `kql/`: swapped as a whole on reload. */
export interface Catalog {
  readonly version: number;
  readonly loadedAt: Date;
  readonly tables: readonly (TableCommand & { file: string })[];
  readonly functions: readonly CatalogFunction[];
  /** Every command in the order a deploy applies them (tables, mappings, functions, policies). */
  readonly deployOrder: readonly CatalogCommand[];
  readonly diagnostics: readonly CatalogDiagnostic[];
}

export interface KqlSourceFile {
  /** Relative to the kql/ directory, with forward slashes. */
  path: string;
  text: string;
}
