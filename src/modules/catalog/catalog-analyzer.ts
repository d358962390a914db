import { buildCatalogYielding } from './catalog-builder.js';
import type { Catalog, KqlSourceFile } from './catalog.types.js';

/**
 * Turns the text of `kql/` into a Catalog (seconds of Kusto.Language CPU for a real directory). The catalog
 * service depends on this port, so where the analysis runs — this thread, yielding between functions, or a worker
 * thread (CatalogAnalysisThread, what `npm start` uses) — is a deployment choice.
 */
export interface CatalogAnalyzer {
  build(files: readonly KqlSourceFile[], options: { version: number }): Promise<Catalog>;
}

/** Analyzes in the calling thread, giving the event loop a turn between functions. */
export const inThreadCatalogAnalyzer: CatalogAnalyzer = {
  build: (files, options) => buildCatalogYielding(files, options),
};
