import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentHash } from '../../../src/modules/graphql/trusted-document.registry.js';
import { ensureBuilt, repoRoot } from '../../utils/ensure-built.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

const run = promisify(execFile);

/** `node bin/kqlgate.js graphql extract …` as a user runs it: exit code, stdout and stderr. */
async function extract(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [
      join(repoRoot, 'bin', 'kqlgate.js'),
      'graphql',
      'extract',
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function frontEnd(dir: string, files: Record<string, string>): Promise<string> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

describe('kqlgate graphql extract', () => {
  let dir: string;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await tempDir('graphql-extract');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('should write the named operations with the fragments they use, recursively, as the manifest', async () => {
    const app = await frontEnd(join(dir, 'good'), {
      'src/orders/orders.graphql': 'query Orders($n: Long) {\n  TopProducts(n: $n) { ...Product }\n}\n',
      'src/fragments.gql': 'fragment Product on TopProductsRow { ProductId }\n',
      'node_modules/lib/ignored.graphql': '{ ignored }\n',
      'src/readme.md': 'query NotGraphql { x }\n',
    });
    const out = join(dir, 'trusted.json');

    const result = await extract([app, '--out', out]);

    const document =
      'query Orders($n: Long) {\n  TopProducts(n: $n) {\n    ...Product\n  }\n}\n\nfragment Product on TopProductsRow {\n  ProductId\n}';
    expect(result).toEqual({
      code: 0,
      stdout: '',
      stderr: `kqlgate graphql extract: 1 operation(s) written to ${out}\n`,
    });
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({ [documentHash(document)]: document });
  });

  it('should refuse an anonymous operation and a duplicate name with file:line and write nothing', async () => {
    const app = await frontEnd(join(dir, 'bad'), {
      'a.graphql': 'query Orders { TopProducts { ProductId } }\n',
      'b.graphql':
        '# the dashboard\n\n{ TopProducts { ProductId } }\n\nquery Orders { TopProducts { Revenue } }\n',
    });
    const out = join(dir, 'bad.json');

    expect(await extract([app, '--out', out])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `${join(app, 'b.graphql')}:3: anonymous operation; give it a name (query Name { … })\n` +
        `${join(app, 'b.graphql')}:5: duplicate operation name Orders (first at ${join(app, 'a.graphql')}:1)\n` +
        `kqlgate graphql extract: 2 problem(s) in ${app}; nothing written\n`,
    });
    await expect(readFile(out, 'utf8')).rejects.toThrow('ENOENT');
  });
});
