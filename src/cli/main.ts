import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { commandRegistrations } from './command-registry.js';

const packageJson = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Builds the `kqlgate` command line: every subcommand registers itself through the command registry. */
export function buildProgram(): Command {
  const program = new Command('kqlgate')
    .description(
      'Near real-time analytics gateway: Service Bus → Azure Data Explorer ingestion, and typed GraphQL/REST APIs ' +
        'generated from KQL stored functions. Without Azure settings it runs an embedded Kusto engine and Service Bus broker.',
    )
    .version(packageJson.version)
    .showHelpAfterError()
    .exitOverride();
  for (const register of commandRegistrations) {
    register(program);
  }
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`kqlgate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
