import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { DiagnosticSeverity } from '../../modules/catalog/catalog.types.js';
import type { LintReport } from './lint-report.js';

/** Where the schema of SARIF 2.1.0 (OASIS) is published; code-scanning services read `$schema` and `version`. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The base that relative artifact URIs resolve against: the directory `kqlgate lint` ran in (the checkout). */
const SOURCE_ROOT = '%SRCROOT%';

const LEVELS: Record<DiagnosticSeverity, Result.level> = { error: 'error', warning: 'warning' };

/**
 * `kqlgate lint --format sarif`: the report as a SARIF 2.1.0 log, which GitHub code scanning, Azure DevOps and
 * most CI systems turn into annotations on the lines. One run, one rule per diagnostic code seen; files inside the
 * working directory are relative to `%SRCROOT%` (the checkout, so the annotation lands on the repository's file),
 * others absolute `file:` URIs. Columns count UTF-16 code units, as the analyzer does.
 */
export function toSarifLog(report: LintReport, toolVersion: string, cwd: string = process.cwd()): Log {
  const codes = [...new Set(report.diagnostics.map((d) => d.code))].sort();
  const rules: ReportingDescriptor[] = codes.map((id) => ({ id }));
  const results = report.diagnostics.map((d): Result => ({
    ruleId: d.code,
    ruleIndex: codes.indexOf(d.code),
    level: LEVELS[d.severity],
    message: { text: d.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: artifactLocation(resolve(cwd, d.file), cwd),
          region: { startLine: d.line, startColumn: d.column },
        },
      },
    ],
  }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kqlgate', version: toolVersion, rules } },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: pathToFileURL(`${cwd}${sep}`).href } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function artifactLocation(path: string, cwd: string): { uri: string; uriBaseId?: string } {
  const inside = relative(cwd, path);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { uri: pathToFileURL(path).href };
  }
  return { uri: inside.split(sep).map(encodeURIComponent).join('/'), uriBaseId: SOURCE_ROOT };
}
