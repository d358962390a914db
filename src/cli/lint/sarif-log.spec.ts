import { describe, expect, it } from 'vitest';
import { sarifSchemaViolations } from '../../../test/utils/sarif-schema.js';
import type { LintReport } from './lint-report.js';
import { SARIF_SCHEMA_URI, toSarifLog } from './sarif-log.js';

function report(kqlDir: string): LintReport {
  return {
    version: 1,
    kqlDir,
    summary: { tables: 2, functions: 3, exposed: 1, errors: 2, warnings: 1 },
    diagnostics: [
      {
        file: `${kqlDir}/functions/TopProducts.kql`,
        line: 16,
        column: 25,
        severity: 'error',
        code: 'KS142',
        message:
          "TopProducts: The name 'Quantity2' does not refer to any known column, table, variable or function.",
      },
      {
        file: `${kqlDir}/functions/Weird name.kql`,
        line: 3,
        column: 1,
        severity: 'warning',
        code: 'KQLGATE_TABULAR_PARAMETER',
        message: 'Weird: a tabular parameter cannot be exposed',
      },
      {
        file: `${kqlDir}/functions/Other.kql`,
        line: 1,
        column: 7,
        severity: 'error',
        code: 'KS142',
        message: 'Other: unknown name',
      },
    ],
  };
}

describe('toSarifLog', () => {
  it('should produce a log the SARIF 2.1.0 schema accepts, with the fields code scanning reads', () => {
    const log = toSarifLog(report('kql'), '1.2.3', '/repo');
    expect(sarifSchemaViolations(log)).toEqual([]);
    expect(log.$schema).toBe(SARIF_SCHEMA_URI);
    expect(log.version).toBe('2.1.0');
    const [run] = log.runs;
    expect(run.tool.driver).toEqual({
      name: 'kqlgate',
      version: '1.2.3',
      rules: [{ id: 'KQLGATE_TABULAR_PARAMETER' }, { id: 'KS142' }],
    });
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
    expect(run.results?.[0]).toEqual({
      ruleId: 'KS142',
      ruleIndex: 1,
      level: 'error',
      message: {
        text: "TopProducts: The name 'Quantity2' does not refer to any known column, table, variable or function.",
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'kql/functions/TopProducts.kql', uriBaseId: '%SRCROOT%' },
            region: { startLine: 16, startColumn: 25 },
          },
        },
      ],
    });
    expect(run.results?.map((r) => [r.ruleIndex, r.level])).toEqual([
      [1, 'error'],
      [0, 'warning'],
      [1, 'error'],
    ]);
  });

  it('should percent-encode relative paths and give files outside the working directory as file: URIs', () => {
    const inside = toSarifLog(report('./kql'), '1.2.3', '/repo');
    expect(inside.runs[0].results?.[1].locations?.[0].physicalLocation?.artifactLocation).toEqual({
      uri: 'kql/functions/Weird%20name.kql',
      uriBaseId: '%SRCROOT%',
    });
    const outside = toSarifLog(report('/elsewhere/kql'), '1.2.3', '/repo');
    expect(sarifSchemaViolations(outside)).toEqual([]);
    expect(outside.runs[0].results?.[1].locations?.[0].physicalLocation?.artifactLocation).toEqual({
      uri: 'file:///elsewhere/kql/functions/Weird%20name.kql',
    });
  });

  it('should be an empty run, still valid, when kql/ is clean', () => {
    const clean: LintReport = {
      ...report('kql'),
      summary: { tables: 2, functions: 3, exposed: 1, errors: 0, warnings: 0 },
      diagnostics: [],
    };
    const log = toSarifLog(clean, '1.2.3', '/repo');
    expect(sarifSchemaViolations(log)).toEqual([]);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].tool.driver.rules).toEqual([]);
  });
});

describe('sarifSchemaViolations', () => {
  it('should name what breaks the schema, so that the checks above can fail', () => {
    expect(
      sarifSchemaViolations({
        version: '2.1.0',
        runs: [
          { tool: { driver: { name: 'kqlgate' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] },
        ],
      }),
    ).toEqual(['/runs/0/results/0/level: must be equal to one of the allowed values']);
    expect(sarifSchemaViolations({ runs: [] })).toEqual(["/: must have required property 'version'"]);
  });
});
