import {
  Inject,
  Injectable,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { resolve } from 'node:path';
import { ReadinessRegistry } from '../../common/health/readiness-registry.js';
import { createLogger, type Logger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { inThreadCatalogAnalyzer, type CatalogAnalyzer } from './catalog-analyzer.js';
import { formatDiagnostic } from './catalog-format.js';
import type { Catalog, CatalogFunction, KqlSourceFile } from './catalog.types.js';
import { KqlDirectorySource } from './kql-directory.source.js';

export interface CatalogOptions {
  /** Defaults to KQL_DIR. */
  kqlDir?: string;
  /** Re-analyze on file changes (dev mode, `--watch`). */
  watch?: boolean;
  /** Where the analysis runs; default: this thread (`npm start` passes a CatalogAnalysisThread). */
  analyzer?: CatalogAnalyzer;
}

export const CATALOG_OPTIONS = Symbol('kqlgate:CatalogOptions');

/** Runs before a new catalog goes live (e.g. deploying changed functions); throwing keeps the old one. */
export type CatalogSwapHook = (next: Catalog, previous: Catalog | undefined) => Promise<void>;
export type CatalogListener = (catalog: Catalog) => void;

export interface ReloadOutcome {
  swapped: boolean;
  catalog: Catalog;
  /** Files whose new text failed and whose last good version (if any) is still serving. */
  rejectedFiles: string[];
}

/**
 * Holds the live catalog of `kql/`. A reload re-analyzes every file and swaps the whole catalog at once; a file
 * that now has errors is replaced by its last good text (or left out if it never had one), so one broken edit
 * never takes other functions — or the previous version of that function — offline. Why it was rejected is
 * logged at `file:line:col`.
 */
@Injectable()
export class FunctionCatalogService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger = createLogger('catalog');
  private readonly source: KqlDirectorySource;
  private readonly watchEnabled: boolean;
  private readonly analyzer: CatalogAnalyzer;
  private catalog: Catalog | undefined;
  private lastGood = new Map<string, string>();
  private version = 0;
  private stopWatching?: () => void;
  private reloading: Promise<ReloadOutcome> | undefined;
  private queuedReload: Promise<ReloadOutcome> | undefined;
  private readonly swapHooks: CatalogSwapHook[] = [];
  private readonly listeners: CatalogListener[] = [];

  constructor(
    config: EnvConfig,
    @Optional() private readonly readiness?: ReadinessRegistry,
    @Optional() @Inject(CATALOG_OPTIONS) options?: CatalogOptions,
  ) {
    this.source = new KqlDirectorySource(resolve(options?.kqlDir ?? config.KQL_DIR));
    this.watchEnabled = options?.watch ?? false;
    this.analyzer = options?.analyzer ?? inThreadCatalogAnalyzer;
  }

  onModuleInit(): void {
    this.readiness?.register('catalog', () =>
      Promise.resolve(
        this.catalog
          ? {
              up: true,
              details: {
                version: this.catalog.version,
                functions: this.exposedFunctions().length,
                errors: this.catalog.diagnostics.filter((d) => d.severity === 'error').length,
              },
            }
          : { up: false, details: { reason: 'kql/ not loaded yet' } },
      ),
    );
  }

  /**
   * Loads after every module's onModuleInit, so swap hooks and change listeners (embedded deployment, the GraphQL
   * schema) are registered before the first catalog goes live; still before the server listens.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.catalog) {
      await this.reload();
    }
    if (this.watchEnabled && !this.stopWatching) {
      this.stopWatching = this.source.watch(() => {
        this.reload().catch((error: unknown) => this.logger.error({ err: error }, 'catalog reload failed'));
      });
      this.logger.info({ dir: this.source.root }, 'watching kql/ for changes');
    }
  }

  onModuleDestroy(): void {
    this.stopWatching?.();
  }

  get kqlDir(): string {
    return this.source.root;
  }

  current(): Catalog {
    if (!this.catalog) {
      throw new Error(
        'the function catalog is not loaded yet (FunctionCatalogService.reload() has not completed)',
      );
    }
    return this.catalog;
  }

  /** The catalog serving now, or undefined before the first load. */
  loaded(): Catalog | undefined {
    return this.catalog;
  }

  exposedFunctions(): CatalogFunction[] {
    return (this.catalog?.functions ?? []).filter((f) => f.exposure);
  }

  /** The exposed function of that name (case-sensitive, as in KQL), or undefined. */
  exposedFunction(name: string): CatalogFunction | undefined {
    return this.catalog?.functions.find((f) => f.name === name && f.exposure);
  }

  beforeSwap(hook: CatalogSwapHook): void {
    this.swapHooks.push(hook);
  }

  /** Called after every swap (GraphQL schema and OpenAPI rebuild here). Returns an unsubscribe function. */
  onChange(listener: CatalogListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener) >>> 0, 1);
  }

  /**
   * Re-reads kql/. A reload that is already running may have read the files before the caller's change, so a call
   * made meanwhile waits for the next reload, which starts when the running one ends; calls made meanwhile share it.
   */
  async reload(): Promise<ReloadOutcome> {
    if (this.reloading) {
      this.queuedReload ??= this.reloading
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          this.queuedReload = undefined;
          return this.reload();
        });
      return this.queuedReload;
    }
    this.reloading = this.doReload();
    try {
      return await this.reloading;
    } finally {
      this.reloading = undefined;
    }
  }

  private async doReload(): Promise<ReloadOutcome> {
    const files = await this.source.read();
    const candidate = await this.analyzer.build(files, { version: this.version + 1 });
    const badFiles = new Set(
      candidate.diagnostics.filter((d) => d.severity === 'error').map((d) => d.position.file),
    );
    for (const diagnostic of candidate.diagnostics) {
      const line = formatDiagnostic(diagnostic, this.source.root);
      if (diagnostic.severity === 'error') {
        this.logger.error({ file: diagnostic.position.file, code: diagnostic.code }, line);
      } else {
        this.logger.warn({ file: diagnostic.position.file, code: diagnostic.code }, line);
      }
    }

    let next = candidate;
    const rejectedFiles = [...badFiles].sort();
    if (badFiles.size > 0 && this.catalog) {
      // Serve every good file as it is now, and each broken file as it last was good.
      const patched: KqlSourceFile[] = files
        .map((f) => (badFiles.has(f.path) ? { path: f.path, text: this.lastGood.get(f.path) } : f))
        .filter((f): f is KqlSourceFile => f.text !== undefined);
      next = await this.analyzer.build(patched, { version: this.version + 1 });
      if (next.diagnostics.some((d) => d.severity === 'error')) {
        this.logger.error(
          { rejectedFiles },
          'kql/ has errors that the last good versions do not fix; the previous catalog keeps serving',
        );
        return { swapped: false, catalog: this.catalog, rejectedFiles };
      }
      this.logger.warn({ rejectedFiles }, 'kql/ files with errors: their last good version keeps serving');
    }

    try {
      for (const hook of this.swapHooks) {
        await hook(next, this.catalog);
      }
    } catch (error) {
      if (!this.catalog) {
        throw error;
      }
      this.logger.error(
        { err: error },
        'the new catalog could not be activated; the previous one keeps serving',
      );
      return { swapped: false, catalog: this.catalog, rejectedFiles };
    }

    this.version = next.version;
    this.catalog = next;
    for (const f of files) {
      if (!badFiles.has(f.path)) {
        this.lastGood.set(f.path, f.text);
      }
    }
    this.logger.info(
      { version: next.version, functions: next.functions.filter((f) => f.exposure).map((f) => f.name) },
      'function catalog loaded',
    );
    for (const listener of this.listeners) {
      listener(next);
    }
    return { swapped: true, catalog: next, rejectedFiles };
  }
}
