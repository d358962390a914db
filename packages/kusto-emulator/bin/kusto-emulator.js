#!/usr/bin/env node
// The `kusto-emulator` command (see src/cli/kusto-emulator-cli.ts; runs the built dist/).
import { CommanderError } from 'commander';
import { runKustoEmulatorCli } from '../dist/cli/kusto-emulator-cli.js';

try {
  await runKustoEmulatorCli(process.argv.slice(2));
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`kusto-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
