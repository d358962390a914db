import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CLIENT_FILE_NAME,
  generateTypescriptClient,
} from '../../contracts/typescript-client/typescript-client-generator.js';
import { loadCleanCatalog } from './lint.command.js';

/**
 * `kqlgate client --typescript <dir> [--kql DIR]`: writes a typed, dependency-free TypeScript client for the exposed
 * functions of kql/ into <dir> (docs/client.md). The catalog is read as `kqlgate schema` and `npm run sync` read it.
 */
export function registerClientCommand(program: Command): void {
  program
    .command('client')
    .description(
      `write a typed TypeScript client (${CLIENT_FILE_NAME}) for the functions of kql/ into a directory`,
    )
    .requiredOption(
      '--typescript <dir>',
      'the directory to write the TypeScript client into (created if missing)',
    )
    .option('--kql <dir>', 'the kql directory (tables/ and functions/)', 'kql')
    .action(async (options: { typescript: string; kql: string }) => {
      const catalog = await loadCleanCatalog(options.kql, 'client');
      if (!catalog) {
        return;
      }
      const dir = resolve(options.typescript);
      const file = join(dir, CLIENT_FILE_NAME);
      await mkdir(dir, { recursive: true });
      await writeFile(file, generateTypescriptClient(catalog));
      const count = catalog.functions.filter((fn) => fn.exposure).length;
      process.stdout.write(`kqlgate client: wrote ${file} (${count} functions)\n`);
    });
}
