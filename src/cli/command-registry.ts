import type { Command } from 'commander';

/**
 * Every `kqlgate` subcommand, one line each. A command module exports `register<Name>Command(program)`.
 */
export const commandRegistrations: ReadonlyArray<(program: Command) => void> = [];
