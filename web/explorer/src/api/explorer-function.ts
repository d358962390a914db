/** How the explorer draws a result (`// @chart` in the function's .kql header; see docs/functions.md). */
export interface ChartSpec {
  readonly kind: 'timechart' | 'linechart' | 'columnchart' | 'barchart';
  readonly x?: string;
  readonly y?: readonly string[];
}

export interface ExplorerColumn {
  readonly name: string;
  /** The Kusto type: string, long, real, datetime, … */
  readonly type: string;
}

export interface ExplorerParameter {
  readonly name: string;
  /** The Kusto type of the parameter. */
  readonly type: string;
  readonly required: boolean;
  /** The default as the form prefills it (text), when there is one. */
  readonly defaultText?: string;
  /** "KQL type long; default 28; between 7 and 365": the OpenAPI description. */
  readonly description: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
}

/** One function the caller may call, as its OpenAPI document describes it. */
export interface ExplorerFunction {
  readonly name: string;
  readonly folder: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: readonly ExplorerParameter[];
  readonly columns: readonly ExplorerColumn[];
  readonly roles: readonly string[];
  readonly anonymous: boolean;
  readonly cost: number;
  readonly cacheTtlSeconds: number;
  readonly maxRows: number;
  readonly boundParameters: Readonly<Record<string, string>>;
  readonly chart?: ChartSpec;
}

/** A function's JSON result: `{ data: [rows], meta: {…} }` (QueryMeta in openapi.json). */
export interface FunctionResult {
  readonly data: readonly Record<string, unknown>[];
  readonly meta: {
    readonly rowCount: number;
    readonly truncated: boolean;
    readonly columns: readonly ExplorerColumn[];
    readonly cache: string;
    readonly durationMs?: number;
  };
}

/** A refusal or failure as the API gives it (RFC 9457 problem+json). */
export interface Problem {
  readonly status: number;
  readonly code?: string;
  readonly title: string;
  readonly detail?: string;
  readonly parameters?: readonly { readonly parameter: string; readonly message: string }[];
}
