import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildCatalog } from '../../modules/catalog/catalog-builder.js';
import { formatDiagnostic } from '../../modules/catalog/catalog-format.js';
import type { Catalog } from '../../modules/catalog/catalog.types.js';
import { KqlDirectorySource } from '../../modules/catalog/kql-directory.source.js';

/** Reads and analyzes a kql/ directory; prints every diagnostic as `path:line:col: severity: message [CODE]`. */
export async function loadAndReport(kqlDir: string): Promise<{ catalog: Catalog; errors: number }> {
  const root = resolve(kqlDir);
  const catalog = buildCatalog(await new KqlDirectorySource(root).read());
  let errors = 0;
  for (const diagnostic of catalog.diagnostics) {
    process.stderr.write(`${formatDiagnostic(diagnostic, kqlDir)}\n`);
    if (diagnostic.severity === 'error') {
      errors++;
    }
  }
  return { catalog, errors };
}

/** `kqlgate lint [--kql DIR]`: analyze every table and function against the declared schemas; exit 1 on errors. */
export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description('analyze kql/ (tables, functions, exposure headers) with Kusto.Language; exit 1 on errors')
    .option('--kql <dir>', 'the kql directory (tables/ and functions/)', 'kql')
    .action(async (options: { kql: string }) => {
      const { catalog, errors } = await loadAndReport(options.kql);
      const warnings = catalog.diagnostics.length - errors;
      const exposed = catalog.functions.filter((f) => f.exposure).length;
      process.stdout.write(
        `${options.kql}: ${catalog.tables.length} tables, ${catalog.functions.length} functions (${exposed} exposed): ` +
          `${errors} error(s), ${warnings} warning(s)\n`,
      );
      if (errors > 0) {
        process.exitCode = 1;
      }
    });
}
