import type { Command } from 'commander';
import { registerEmulatorCommand } from './commands/emulator.command.js';
import { registerTokenCommand } from './commands/token.command.js';

/**
 * Every `kqlgate` subcommand, one line each. A command module exports `register<Name>Command(program)`.
 */
export const commandRegistrations: ReadonlyArray<(program: Command) => void> = [
  registerEmulatorCommand,
  registerTokenCommand,
];
