#!/usr/bin/env node
// The `servicebus-emulator` command (see src/cli/servicebus-emulator-cli.ts; runs the built dist/).
import { CommanderError } from 'commander';
import { runServiceBusEmulatorCli } from '../dist/cli/servicebus-emulator-cli.js';

try {
  await runServiceBusEmulatorCli(process.argv.slice(2));
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(`servicebus-emulator: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
