/**
 * Keeps the last catalog analysis of kql/ under DATA_DIR, keyed by what it depends on: the text of every file of
 * kql/, the Kusto.Language version and kqlgate's own analysis code. A restart with an unchanged kql/ takes the
 * stored catalog instead of analyzing again, so the gateway starts without waiting for Kusto.Language (seconds of
 * CPU). Any change to one of those makes a new key, and the old entry is replaced.
 *
 * The store is a cache: a missing, unreadable or unwritable entry (a read-only DATA_DIR) only means analyzing.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Logger } from '../common/logging/logger.js';
import { packageVersion } from '../common/package-version.js';
import type { CatalogAnalyzer } from '../modules/catalog/catalog-analyzer.js';
import type { Catalog, KqlSourceFile } from '../modules/catalog/catalog.types.js';

const ENTRY_PREFIX = 'analysis-';

/** Where the analyses of kql/ are stored under DATA_DIR. */
export function storedAnalysisDir(dataDir: string): string {
  return join(resolve(dataDir), 'catalog');
}

/**
 * Whether `dir` holds a stored analysis of kql/ (of any version): on a restart Kusto.Language is then probably not
 * needed before the gateway listens, and `npm start` does not warm it up (kqlgate-parts.ts). Only a hint: a changed
 * kql/ is still analyzed, just without the head start.
 */
export function hasStoredAnalysis(dir: string): boolean {
  try {
    return readdirSync(dir).some((entry) => entry.startsWith(ENTRY_PREFIX) && entry.endsWith('.v8'));
  } catch {
    return false;
  }
}

/** The Kusto.Language release kqlgate's KQL layer loads, read from its package (without loading it). */
function kustoLanguageVersion(): string {
  const require = createRequire(import.meta.resolve('@kqlgate/kql-language'));
  return (require('@kusto/language-service-next/package.json') as { version: string }).version;
}

/** The code that turns kql/ into a catalog: a changed build of it must not serve an older build's analysis. */
async function analysisCode(): Promise<string> {
  const built = fileURLToPath(new URL('../modules/catalog/catalog-builder.js', import.meta.url));
  // Run from the TypeScript sources (the tests), the module is the .ts beside it.
  return readFile(built, 'utf8').catch(() => readFile(built.replace(/\.js$/, '.ts'), 'utf8'));
}

export class StoredCatalogAnalyzer implements CatalogAnalyzer {
  private prefetched?: { key: Promise<string>; catalog: Promise<Catalog> };

  constructor(
    /** The directory of the stored analysis (DATA_DIR/catalog). */
    private readonly dir: string,
    /** Where kql/ is analyzed when nothing is stored for it. */
    private readonly analyzer: CatalogAnalyzer,
    private readonly logger: Logger,
  ) {}

  /**
   * Starts the first build at once (the gateway's modules load meanwhile); build() of the same files takes it.
   * Returns it too, for whoever needs the catalog before the gateway asks.
   */
  prefetch(files: readonly KqlSourceFile[], version: number): Promise<Catalog> {
    const key = this.keyOf(files);
    const catalog = this.lookUpOrAnalyze(key, files, version);
    // Whoever asks for it sees a failure; an unused prefetch must not become an unhandled rejection.
    catalog.catch(() => undefined);
    this.prefetched = { key, catalog };
    return catalog;
  }

  async build(files: readonly KqlSourceFile[], options: { version: number }): Promise<Catalog> {
    const key = this.keyOf(files);
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    if (prefetched && (await prefetched.key) === (await key)) {
      return { ...(await prefetched.catalog), version: options.version };
    }
    return this.lookUpOrAnalyze(key, files, options.version);
  }

  private async keyOf(files: readonly KqlSourceFile[]): Promise<string> {
    const hash = createHash('sha256');
    hash.update(`kqlgate ${packageVersion()}\0Kusto.Language ${kustoLanguageVersion()}\0`);
    hash.update(await analysisCode());
    for (const file of files) {
      hash.update(`\0${file.path}\0${file.text}`);
    }
    return hash.digest('hex').slice(0, 32);
  }

  private async lookUpOrAnalyze(
    keyPromise: Promise<string>,
    files: readonly KqlSourceFile[],
    version: number,
  ): Promise<Catalog> {
    const key = await keyPromise;
    const path = join(this.dir, `${ENTRY_PREFIX}${key}.v8`);
    const stored = await readFile(path).then(
      (bytes) => deserialize(bytes) as Catalog,
      () => undefined,
    );
    if (stored) {
      this.logger.info({ key }, 'kql/ unchanged since the stored analysis: using it');
      return { ...stored, version };
    }
    const catalog = await this.analyzer.build(files, { version });
    await this.store(path, catalog).catch((error: unknown) =>
      this.logger.debug({ err: error, dir: this.dir }, 'could not store the analysis of kql/'),
    );
    return catalog;
  }

  /** Written whole then renamed, so a crash never leaves half an entry; older entries go. */
  private async store(path: string, catalog: Catalog): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const partial = `${path}.${process.pid}.tmp`;
    await writeFile(partial, serialize(catalog));
    await rename(partial, path);
    const name = path.slice(this.dir.length + 1);
    for (const entry of await readdir(this.dir)) {
      if (entry.startsWith(ENTRY_PREFIX) && entry !== name) {
        await rm(join(this.dir, entry), { force: true });
      }
    }
  }
}
