import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { packageVersion } from '../../common/package-version.js';
import { buildCatalog } from '../../modules/catalog/catalog-builder.js';
import { formatDiagnostic } from '../../modules/catalog/catalog-format.js';
import type { Catalog } from '../../modules/catalog/catalog.types.js';
import { KqlDirectorySource } from '../../modules/catalog/kql-directory.source.js';
import { buildLintReport, type LintReport } from '../lint/lint-report.js';
import { toSarifLog } from '../lint/sarif-log.js';

/** Reads and analyzes a kql/ directory. */
async function analyze(kqlDir: string): Promise<Catalog> {
  return buildCatalog(await new KqlDirectorySource(resolve(kqlDir)).read());
}

/** Reads and analyzes a kql/ directory; prints every diagnostic as `path:line:col: severity: message [CODE]`. */
export async function loadAndReport(kqlDir: string): Promise<{ catalog: Catalog; errors: number }> {
  const catalog = await analyze(kqlDir);
  let errors = 0;
  for (const diagnostic of catalog.diagnostics) {
    process.stderr.write(`${formatDiagnostic(diagnostic, kqlDir)}\n`);
    if (diagnostic.severity === 'error') {
      errors++;
    }
  }
  return { catalog, errors };
}

/**
 * The catalog of a kql/ directory for a command that generates from it (`schema`, `client`), reported as
 * loadAndReport does; undefined, with exit code 1 and one line naming the command, when it has errors.
 */
export async function loadCleanCatalog(kqlDir: string, command: string): Promise<Catalog | undefined> {
  const { catalog, errors } = await loadAndReport(kqlDir);
  if (errors > 0) {
    process.stderr.write(
      `kqlgate ${command}: ${errors} error(s) in ${kqlDir}; fix them first (kqlgate lint)\n`,
    );
    process.exitCode = 1;
    return undefined;
  }
  return catalog;
}

type LintFormat = 'text' | 'json' | 'sarif';

/**
 * `kqlgate lint [--kql DIR] [--format text|json|sarif]`: analyze every table and function against the declared
 * schemas; exit 1 on errors. `text` prints the diagnostics on stderr and a summary on stdout; `json` (LintReport)
 * and `sarif` (SARIF 2.1.0, for CI annotations) print one document on stdout and nothing else.
 */
export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description('analyze kql/ (tables, functions, exposure headers) with Kusto.Language; exit 1 on errors')
    .option('--kql <dir>', 'the kql directory (tables/ and functions/)', 'kql')
    .addOption(
      new Option(
        '--format <format>',
        'text (file:line:col lines), json (one document, see docs/functions.md) or sarif (SARIF 2.1.0)',
      )
        .choices(['text', 'json', 'sarif'])
        .default('text'),
    )
    .action(async (options: { kql: string; format: LintFormat }) => {
      // Text prints each diagnostic on stderr as it always did; json and sarif carry them in their document.
      const catalog =
        options.format === 'text' ? (await loadAndReport(options.kql)).catalog : await analyze(options.kql);
      const report = buildLintReport(catalog, options.kql);
      process.stdout.write(render(report, options.format));
      if (report.summary.errors > 0) {
        process.exitCode = 1;
      }
    });
}

function render(report: LintReport, format: LintFormat): string {
  switch (format) {
    case 'text': {
      const { tables, functions, exposed, errors, warnings } = report.summary;
      return `${report.kqlDir}: ${tables} tables, ${functions} functions (${exposed} exposed): ${errors} error(s), ${warnings} warning(s)\n`;
    }
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'sarif':
      return `${JSON.stringify(toSarifLog(report, packageVersion()), null, 2)}\n`;
  }
}
