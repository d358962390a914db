import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { extractOperations, type OperationSource } from '../graphql/operation-extractor.js';

const OPERATION_FILE = /\.(graphql|gql)$/;

/** The `.graphql` / `.gql` files under `dir`, in path order; dependencies and hidden folders are not the app's. */
async function operationFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && OPERATION_FILE.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.split(/[\\/]/).some((part) => part === 'node_modules' || part.startsWith('.')))
    .sort();
}

/**
 * `kqlgate graphql extract <dir> [--out FILE]`: the named operations of a front-end's `.graphql`/`.gql` files as
 * the JSON manifest GRAPHQL_TRUSTED_DOCUMENTS reads (docs/security.md "Trusted documents"). Problems go to stderr,
 * one `file:line: message` each, with exit code 1 and nothing written.
 */
export function registerGraphqlCommand(program: Command): void {
  const graphql = program.command('graphql').description('GraphQL tooling for the front-ends of the gateway');
  graphql
    .command('extract')
    .description(
      "write the trusted-documents manifest (GRAPHQL_TRUSTED_DOCUMENTS) from a front-end's .graphql files",
    )
    .argument('<dir>', 'the front-end directory, searched recursively for .graphql and .gql files')
    .option('--out <file>', 'where to write the manifest (default: standard output)')
    .action(async (dir: string, options: { out?: string }) => {
      const sources: OperationSource[] = await Promise.all(
        (await operationFiles(dir)).map(async (path) => ({ path, text: await readFile(path, 'utf8') })),
      );
      const { manifest, problems } = extractOperations(sources);
      if (problems.length > 0) {
        process.stderr.write(problems.map((problem) => `${problem}\n`).join(''));
        process.stderr.write(
          `kqlgate graphql extract: ${problems.length} problem(s) in ${dir}; nothing written\n`,
        );
        process.exitCode = 1;
        return;
      }
      const count = Object.keys(manifest).length;
      if (count === 0) {
        process.stderr.write(
          `kqlgate graphql extract: no named operation in a .graphql or .gql file under ${dir}\n`,
        );
        process.exitCode = 1;
        return;
      }
      const json = `${JSON.stringify(manifest, null, 2)}\n`;
      if (options.out) {
        await writeFile(options.out, json);
        process.stderr.write(`kqlgate graphql extract: ${count} operation(s) written to ${options.out}\n`);
      } else {
        process.stdout.write(json);
      }
    });
}
