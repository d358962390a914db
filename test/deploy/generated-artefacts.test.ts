import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  GENERATED_DIRS,
  generatedArtefacts,
  SYNC_COMMAND,
  type GeneratedArtefact,
} from '../../src/contracts/generated-artefacts.js';
import { repoRoot } from '../utils/ensure-built.js';

/**
 * The committed schema.graphql, openapi.json, examples/typescript-client/ and kql/compiled/*.sql are what `npm run sync` generates from kql/
 * today: regenerated in memory and compared, so CI fails on a KQL change committed without them.
 */
describe('generated artefacts', () => {
  let artefacts: GeneratedArtefact[];

  beforeAll(async () => {
    artefacts = await generatedArtefacts(repoRoot);
  });

  it('should match every committed file', () => {
    const stale = artefacts
      .filter(({ path, content }) => {
        const file = join(repoRoot, path);
        return !existsSync(file) || readFileSync(file, 'utf8') !== content;
      })
      .map(({ path }) => path);
    expect(stale, `out of date: run \`${SYNC_COMMAND}\` and commit the result`).toEqual([]);
  });

  it('should include the example TypeScript client', () => {
    expect(artefacts.map((a) => a.path)).toContain('examples/typescript-client/kqlgate-client.ts');
  });

  it('should leave no file in a generated directory that sync does not write', () => {
    const wanted = new Set(artefacts.map((a) => a.path));
    const leftovers = GENERATED_DIRS.flatMap((generatedDir) => {
      const dir = join(repoRoot, generatedDir);
      return (existsSync(dir) ? readdirSync(dir) : [])
        .map((name) => `${generatedDir}/${name}`)
        .filter((path) => !wanted.has(path));
    });
    expect(leftovers, `left over: run \`${SYNC_COMMAND}\` and commit the result`).toEqual([]);
  });
});
