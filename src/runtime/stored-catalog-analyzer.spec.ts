import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logging/logger.js';
import type { CatalogAnalyzer } from '../modules/catalog/catalog-analyzer.js';
import type { Catalog, KqlSourceFile } from '../modules/catalog/catalog.types.js';
import { hasStoredAnalysis, StoredCatalogAnalyzer } from './stored-catalog-analyzer.js';

const FILES: KqlSourceFile[] = [
  { path: 'tables/orders.kql', text: '.create-merge table Orders (OrderId: string)\n' },
  { path: 'functions/Count.kql', text: '.create-or-alter function Count() { Orders | count }\n' },
];

/** An analyzer that counts its analyses; its catalogs name the files they came from. */
function countingAnalyzer(): CatalogAnalyzer & { analyses: number } {
  const analyzer = {
    analyses: 0,
    build(files: readonly KqlSourceFile[], options: { version: number }): Promise<Catalog> {
      analyzer.analyses++;
      return Promise.resolve({
        version: options.version,
        loadedAt: new Date(0),
        tables: [],
        functions: [],
        deployOrder: [],
        diagnostics: files.map((file) => ({
          severity: 'warning',
          code: 'TEST',
          message: file.text,
          position: { file: file.path, line: 1, column: 1 },
        })),
      } as Catalog);
    },
  };
  return analyzer;
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kqlgate-stored-catalog-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(StoredCatalogAnalyzer.name, () => {
  describe('build', () => {
    it('should take the stored analysis after a restart with the same kql/, at the version asked for', async () => {
      const first = countingAnalyzer();
      const stored = await new StoredCatalogAnalyzer(dir, first, silentLogger).build(FILES, { version: 1 });

      const afterRestart = countingAnalyzer();
      const catalog = await new StoredCatalogAnalyzer(dir, afterRestart, silentLogger).build(FILES, {
        version: 4,
      });

      expect(afterRestart.analyses).toBe(0);
      expect(catalog).toEqual({ ...stored, version: 4 });
    });

    it('should analyze again when a file of kql/ changed, and keep only the latest analysis', async () => {
      await new StoredCatalogAnalyzer(dir, countingAnalyzer(), silentLogger).build(FILES, { version: 1 });
      const changed = [FILES[0], { ...FILES[1], text: `${FILES[1].text}// edited\n` }];

      const analyzer = countingAnalyzer();
      const catalog = await new StoredCatalogAnalyzer(dir, analyzer, silentLogger).build(changed, {
        version: 1,
      });

      expect(analyzer.analyses).toBe(1);
      expect(catalog.diagnostics.map((d) => d.message)).toEqual(changed.map((file) => file.text));
      expect(await readdir(dir)).toHaveLength(1);
    });

    it('should still answer when the analysis cannot be stored (a read-only DATA_DIR)', async () => {
      const notADirectory = join(dir, 'a-file');
      await writeFile(notADirectory, '');
      const analyzer = countingAnalyzer();
      const stored = new StoredCatalogAnalyzer(notADirectory, analyzer, silentLogger);

      await expect(stored.build(FILES, { version: 1 })).resolves.toMatchObject({ version: 1 });
      await expect(stored.build(FILES, { version: 2 })).resolves.toMatchObject({ version: 2 });
      expect(analyzer.analyses).toBe(2);
    });
  });

  describe('prefetch', () => {
    it('should hand the prefetched analysis to the first build of the same files', async () => {
      const analyzer = countingAnalyzer();
      const stored = new StoredCatalogAnalyzer(dir, analyzer, silentLogger);
      void stored.prefetch(FILES, 1);
      await expect(stored.build(FILES, { version: 1 })).resolves.toMatchObject({ version: 1 });
      expect(analyzer.analyses).toBe(1);
    });
  });
});

describe(hasStoredAnalysis.name, () => {
  it('should say no for a DATA_DIR that has no catalog folder yet (a first start)', () => {
    expect(hasStoredAnalysis(join(dir, 'catalog'))).toBe(false);
  });

  it('should say no for a folder without a stored analysis', async () => {
    await writeFile(join(dir, 'analysis-x.v8.123.tmp'), '');

    expect(hasStoredAnalysis(dir)).toBe(false);
  });

  it('should say yes once an analysis of kql/ is stored (a restart)', async () => {
    await new StoredCatalogAnalyzer(dir, countingAnalyzer(), silentLogger).build(FILES, { version: 1 });

    expect(hasStoredAnalysis(dir)).toBe(true);
  });
});
