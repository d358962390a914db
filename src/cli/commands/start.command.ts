import type { Command } from 'commander';

/**
 * `kqlgate start`: kqlgate for KQLGATE_ROLE from the installed CLI — what a container runs (deploy/kubernetes,
 * infra/). The same start-up as `npm start`, without its banner for a person at a terminal.
 */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'start kqlgate: the gateway, the ingestion consumer or both (KQLGATE_ROLE=gateway|ingestion|all, default all); ' +
        'without Azure settings, all runs the embedded engine and broker',
    )
    .option('--watch', 're-analyze kql/ when it changes', false)
    .action(async (options: { watch: boolean }) => {
      const { runKqlgate } = await import('../../runtime/run-kqlgate.js');
      await runKqlgate({ watchKql: options.watch, banner: false });
    });
}
