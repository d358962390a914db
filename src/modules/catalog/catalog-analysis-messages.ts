import type { Catalog, KqlSourceFile } from './catalog.types.js';

/** Main thread → catalog analysis worker. */
export interface CatalogBuildRequest {
  id: number;
  files: KqlSourceFile[];
  version: number;
}

/** Catalog analysis worker → main thread (a Catalog is plain data: it crosses threads by structured clone). */
export type CatalogBuildReply =
  { id: number; catalog: Catalog } | { id: number; error: { message: string; stack?: string } };
