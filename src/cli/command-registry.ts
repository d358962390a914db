import type { Command } from 'commander';
import { registerClientCommand } from './commands/client.command.js';
import { registerDemoCommand } from './commands/demo.command.js';
import { registerDeployCommand } from './commands/deploy.command.js';
import { registerEmulatorCommand } from './commands/emulator.command.js';
import { registerGraphqlCommand } from './commands/graphql.command.js';
import { registerLintCommand } from './commands/lint.command.js';
import { registerSchemaCommand } from './commands/schema.command.js';
import { registerStartCommand } from './commands/start.command.js';
import { registerTokenCommand } from './commands/token.command.js';

/**
 * Every `kqlgate` subcommand, one line each. A command module exports `register<Name>Command(program)`.
 */
export const commandRegistrations: ReadonlyArray<(program: Command) => void> = [
  registerStartCommand,
  registerEmulatorCommand,
  registerTokenCommand,
  registerLintCommand,
  registerDeployCommand,
  registerSchemaCommand,
  registerGraphqlCommand,
  registerClientCommand,
  registerDemoCommand,
];
