import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

// The race under test — a file listed by readdir and deleted before readFile — cannot be timed on a real disk,
// so readFile fails for that one path exactly as it does when the file is gone.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    readFile: (path: string, encoding: BufferEncoding) =>
      path.endsWith('Vanished.kql')
        ? Promise.reject(
            Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' }),
          )
        : actual.readFile(path, encoding),
  };
});

// The unit project shares one module registry across its files (vitest.config.ts, isolate: false): another file may
// already have loaded the source with the real fs, so it is loaded afresh here, with the mock.
vi.resetModules();
const { KqlDirectorySource } = await import('./kql-directory.source.js');

describe(KqlDirectorySource.name, () => {
  describe('read', () => {
    it('should leave out a file deleted between listing and reading instead of failing the reload', async () => {
      const root = await mkdtemp(join(tmpdir(), 'kqlgate-kqldir-'));
      await mkdir(join(root, 'tables'));
      await mkdir(join(root, 'functions'));
      await writeFile(join(root, 'tables', 't.kql'), '.create-merge table T (A: long)');
      await writeFile(join(root, 'functions', 'Kept.kql'), 'kept');
      await writeFile(join(root, 'functions', 'Vanished.kql'), 'gone');

      const files = await new KqlDirectorySource(root).read();

      expect(files.map((f) => f.path)).toEqual(['tables/t.kql', 'functions/Kept.kql']);
    });
  });
});
