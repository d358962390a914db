import type { Command } from 'commander';
import { DeployConflictError, KqlDeployer, formatPlan } from '../../modules/catalog/kql-deployer.js';
import { KustoQueryClient } from '../../modules/query/kusto-query.client.js';
import { loadAndReport } from './lint.command.js';

/**
 * `kqlgate deploy --cluster URL --database DB [--kql DIR] [--dry-run]`: lint, read the database's current
 * objects, print the plan (`+` create, `~` update, `=` unchanged), and unless --dry-run apply the creates and
 * updates in dependency order. Running it twice applies nothing the second time.
 */
export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('apply kql/ (tables, mappings, functions, update policies) to ADX or the embedded engine')
    .requiredOption(
      '--cluster <url>',
      'cluster query URL, e.g. https://mycluster.westeurope.kusto.windows.net',
    )
    .requiredOption('--database <name>', 'database name')
    .option('--kql <dir>', 'the kql directory (tables/ and functions/)', 'kql')
    .option('--dry-run', 'print the plan without changing anything')
    .action(async (options: { cluster: string; database: string; kql: string; dryRun?: boolean }) => {
      const { catalog, errors } = await loadAndReport(options.kql);
      if (errors > 0) {
        process.stderr.write(`kqlgate deploy: ${errors} error(s) in ${options.kql}; nothing deployed\n`);
        process.exitCode = 1;
        return;
      }
      const client = new KustoQueryClient(options.cluster, options.database);
      try {
        const deployer = new KqlDeployer(client);
        const steps = await deployer.plan(catalog);
        process.stdout.write(`${formatPlan(steps)}\n`);
        if (options.dryRun) {
          process.stdout.write('dry run: nothing applied\n');
          return;
        }
        const applied = await deployer.apply(steps);
        process.stdout.write(
          `applied ${applied.length} command(s) to ${options.cluster} / ${options.database}\n`,
        );
      } catch (error) {
        process.stderr.write(
          `kqlgate deploy: ${error instanceof DeployConflictError || error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      } finally {
        client.close();
      }
    });
}
