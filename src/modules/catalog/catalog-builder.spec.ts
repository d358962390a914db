import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog } from './catalog-builder.js';
import type { KqlSourceFile } from './catalog.types.js';

const kqlDir = join(import.meta.dirname, '..', '..', '..', 'kql');

function repoFiles(): KqlSourceFile[] {
  return ['tables', 'functions'].flatMap((dir) =>
    readdirSync(join(kqlDir, dir))
      .filter((name) => name.endsWith('.kql'))
      .map((name) => ({ path: `${dir}/${name}`, text: readFileSync(join(kqlDir, dir, name), 'utf8') })),
  );
}

describe('buildCatalog', () => {
  it('should analyze the sample domain without errors', () => {
    const catalog = buildCatalog(repoFiles());
    const problems = catalog.diagnostics.map(
      (d) => `${d.position.file}:${d.position.line}:${d.position.column}: ${d.message}`,
    );
    expect(problems).toEqual([]);
    const fraud = catalog.functions.find((f) => f.name === 'FraudScores')!;
    expect(fraud.outputColumns.slice(0, 4)).toEqual([
      { name: 'AccountId', type: 'string' },
      { name: 'CustomerId', type: 'string' },
      { name: 'RiskScore', type: 'real' },
      { name: 'RiskLevel', type: 'string' },
    ]);
    expect(fraud.tables).toEqual(['Payments']);
    expect(fraud.exposure).toMatchObject({
      roles: ['fraud-analyst', 'analyst'],
      cacheTtlMs: 30_000,
      cost: 5,
    });
    expect(fraud.parameters.find((p) => p.name === 'tenantId')).toMatchObject({
      binding: { claim: 'tid' },
      required: false,
    });
    expect(fraud.parameters.find((p) => p.name === 'lookback')).toMatchObject({
      type: 'timespan',
      defaultValue: '01:00:00',
    });
    expect(catalog.functions.filter((f) => f.exposure).length).toBeGreaterThanOrEqual(8);
  });

  it('should type a function that reads an external table declared in kql/tables', () => {
    const catalog = buildCatalog([
      {
        path: 'tables/ref.kql',
        text: ".create-or-alter external table Fx (Currency: string, Rate: real) kind=storage dataformat=csv (h@'file:fx.csv')\n",
      },
      {
        path: 'functions/Rates.kql',
        text: ".create-or-alter function Rates() { external_table('Fx') | project Currency, Doubled = Rate * 2 }\n",
      },
    ]);
    expect(catalog.diagnostics).toEqual([]);
    expect(catalog.functions[0].outputColumns).toEqual([
      { name: 'Currency', type: 'string' },
      { name: 'Doubled', type: 'real' },
    ]);
  });

  it('should report a bad exposure setting at its file:line:col', () => {
    const catalog = buildCatalog([
      { path: 'tables/t.kql', text: '.create-merge table T (A: string)\n' },
      {
        path: 'functions/Stale.kql',
        text: '// Latest A values.\n// @expose roles=a swr=5m\n.create-or-alter function Stale() { T }\n',
      },
    ]);
    expect(
      catalog.diagnostics.map(
        (d) => `${d.position.file}:${d.position.line}:${d.position.column}: ${d.code}: ${d.message}`,
      ),
    ).toEqual([
      'functions/Stale.kql:2:20: KQLGATE_EXPOSURE: swr serves an expired cached result, so it needs a cache TTL of at least 1s (e.g. cache=30s swr=5m)',
    ]);
  });

  it('should read @param ranges and report one that does not fit its function', () => {
    const catalog = buildCatalog([
      { path: 'tables/t.kql', text: '.create-merge table T (A: string, N: long)\n' },
      {
        path: 'functions/Ranged.kql',
        text: [
          '// @expose roles=a',
          '// @bind tenant=claim:tid',
          '// @param n min=1 max=10',
          '// @param missing max=2',
          '// @param tenant maxLength=8',
          '// @param size min=0 max=5',
          '.create-or-alter function Ranged(tenant: string, n: long = 3, size: long = 9) { T | where A == tenant | take n }',
          '',
        ].join('\n'),
      },
    ]);
    expect(
      catalog.diagnostics.map((d) => `${d.position.line}:${d.position.column}: ${d.code}: ${d.message}`),
    ).toEqual([
      '5:11: KQLGATE_PARAMETER_RANGE: @param tenant: the parameter is bound to the "tid" claim; ranges apply to parameters callers supply',
      '6:11: KQLGATE_PARAMETER_RANGE: @param size: the default 9 is outside the declared range (between 0 and 5)',
      '4:11: KQLGATE_PARAMETER_RANGE: @param names parameter missing, which Ranged does not declare',
    ]);
    expect(catalog.functions[0].parameters.find((p) => p.name === 'n')?.range).toEqual({
      min: { kind: 'long', text: '1', value: '1' },
      max: { kind: 'long', text: '10', value: '10' },
    });
  });
  it('should read @chart and report each column that does not fit, naming the function and line', () => {
    const table = {
      path: 'tables/t.kql',
      text: '.create-merge table T (At: datetime, Name: string, N: long)\n',
    };
    const fn = (name: string, chart: string) => ({
      path: `functions/${name}.kql`,
      text: [
        '// @expose roles=a',
        `// @chart ${chart}`,
        `.create-or-alter function ${name}() { T | project At, Name, N }`,
        '',
      ].join('\n'),
    });
    const catalog = buildCatalog([
      table,
      fn('Good', 'timechart x=At y=N'),
      fn('Bad', 'timechart x=Name y=N,Missing,Name'),
      fn('Odd', 'piechart'),
      fn('Loose', 'columnchart y=N colour=red'),
    ]);
    expect(
      catalog.diagnostics.map(
        (d) => `${d.position.file}:${d.position.line}:${d.position.column}: ${d.code}: ${d.message}`,
      ),
    ).toEqual([
      "functions/Bad.kql:2:21: KQLGATE_CHART: @chart of Bad: a timechart's x must be a datetime column; Name is string",
      'functions/Bad.kql:2:28: KQLGATE_CHART: @chart of Bad: y=Missing is not an output column (columns: At, Name, N)',
      'functions/Bad.kql:2:28: KQLGATE_CHART: @chart of Bad: y columns must be numeric (int, long, real, decimal); Name is string',
      "functions/Loose.kql:2:27: KQLGATE_EXPOSURE: unknown @chart setting 'colour=red' (known: x=<column>, y=<column>,<column>…)",
      "functions/Odd.kql:2:11: KQLGATE_EXPOSURE: @chart expects a chart kind (timechart, linechart, columnchart, barchart), e.g. @chart timechart x=Period y=Revenue; found 'piechart'",
    ]);
    const byName = new Map(catalog.functions.map((f) => [f.name, f]));
    expect(byName.get('Good')?.chart).toEqual({ kind: 'timechart', x: 'At', y: ['N'] });
    expect(byName.get('Bad')?.chart).toBeUndefined();
    expect(byName.get('Bad')?.exposure).toBeUndefined();
    expect(byName.get('Loose')?.chart).toEqual({ kind: 'columnchart', y: ['N'] });
  });
});
