import type { Command } from 'commander';
import { DeployConflictError, KqlDeployer, formatPlan } from '../../modules/catalog/kql-deployer.js';
import { KustoQueryClient } from '../../modules/query/kusto-query.client.js';
import { DeployTargetError, resolveDeployTarget, type DeployTarget } from './deploy-target.js';
import { loadAndReport } from './lint.command.js';

/**
 * `kqlgate deploy [--cluster URL] [--database DB] [--kql DIR] [--dry-run]`: lint, read the database's current
 * objects, print the plan (`+` create, `~` update, `=` unchanged), and unless --dry-run apply the creates and
 * updates in dependency order. Running it twice applies nothing the second time. Without the flags, the cluster and
 * database come from KUSTO_CLUSTER_URL / KUSTO_DATABASE (see deploy-target.ts); the first line says which were used.
 */
export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description('apply kql/ (tables, mappings, functions, update policies) to ADX or the embedded engine')
    .option(
      '--cluster <url>',
      'cluster query URL, e.g. https://mycluster.westeurope.kusto.windows.net (default: KUSTO_CLUSTER_URL)',
    )
    .option('--database <name>', 'database name (default: KUSTO_DATABASE)')
    .option('--kql <dir>', 'the kql directory (tables/ and functions/)', 'kql')
    .option('--dry-run', 'print the plan without changing anything')
    .action(async (options: { cluster?: string; database?: string; kql: string; dryRun?: boolean }) => {
      let target: DeployTarget;
      try {
        target = resolveDeployTarget(options, process.env);
      } catch (error) {
        if (error instanceof DeployTargetError) {
          process.stderr.write(error.problems.map((line) => `kqlgate deploy: ${line}\n`).join(''));
          process.exitCode = 1;
          return;
        }
        throw error;
      }
      const { catalog, errors } = await loadAndReport(options.kql);
      if (errors > 0) {
        process.stderr.write(`kqlgate deploy: ${errors} error(s) in ${options.kql}; nothing deployed\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`target: ${target.description}\n`);
      const client = new KustoQueryClient(target.cluster, target.database, target.auth);
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
          `applied ${applied.length} command(s) to ${target.cluster} / ${target.database}\n`,
        );
      } catch (error) {
        const message =
          error instanceof DeployConflictError || error instanceof Error ? error.message : String(error);
        process.stderr.write(`kqlgate deploy: ${message}${untrustedHostHint(message, target)}\n`);
        process.exitCode = 1;
      } finally {
        client.close();
      }
    });
}

/**
 * azure-kusto-data refuses a host outside Azure's Kusto domains unless kqlgate sends it no token (see
 * kusto-connection.ts); its message does not say that KUSTO_AUTH=none is the way to reach such an endpoint.
 */
function untrustedHostHint(message: string, target: DeployTarget): string {
  return target.auth !== 'none' && message.includes('hostname is currently not trusted')
    ? ' — for a Kusto endpoint that takes no credentials (a Kustainer, say), set KUSTO_AUTH=none'
    : '';
}
