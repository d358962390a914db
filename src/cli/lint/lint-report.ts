import type { Catalog, DiagnosticSeverity } from '../../modules/catalog/catalog.types.js';

/** One finding of `kqlgate lint`, at a 1-based line and column (UTF-16 code units, as editors count). */
export interface LintDiagnostic {
  /** The file as given on the command line: the `--kql` directory joined with the path inside it. */
  file: string;
  line: number;
  column: number;
  severity: DiagnosticSeverity;
  /** Kusto.Language's code (e.g. `KS142`) or kqlgate's own (`KQLGATE_…`). */
  code: string;
  message: string;
}

/**
 * What `kqlgate lint --format json` prints: a stable shape for scripts and CI steps (docs/functions.md). `version`
 * changes only when a field changes meaning or goes away; new fields may be added without it changing.
 */
export interface LintReport {
  version: 1;
  kqlDir: string;
  summary: { tables: number; functions: number; exposed: number; errors: number; warnings: number };
  diagnostics: LintDiagnostic[];
}

export function buildLintReport(catalog: Catalog, kqlDir: string): LintReport {
  const diagnostics = catalog.diagnostics.map(({ position, severity, code, message }): LintDiagnostic => ({
    file: `${kqlDir.replace(/\/$/, '')}/${position.file}`,
    line: position.line,
    column: position.column,
    severity,
    code,
    message,
  }));
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return {
    version: 1,
    kqlDir,
    summary: {
      tables: catalog.tables.length,
      functions: catalog.functions.length,
      exposed: catalog.functions.filter((f) => f.exposure).length,
      errors,
      warnings: diagnostics.length - errors,
    },
    diagnostics,
  };
}
