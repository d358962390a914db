import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { kqlgatePackage } from '../../common/package-root.js';

/** One built file, held in memory: the bundles are a handful of small files. */
export interface WebAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The browser pages `npm run build` writes with Vite (web/vite.config.ts): dist/web/<page>/index.html and their
 * shared, content-hashed files in dist/web/assets/. Read from disk once. A request names a file of the listing,
 * never a path, so nothing outside the bundle can be reached.
 */
@Injectable()
export class ExplorerAssets {
  private readonly root = join(kqlgatePackage().dir, 'dist', 'web');
  private readonly pages = new Map<string, WebAsset | undefined>();
  private assets?: Map<string, WebAsset>;

  /** `index.html` of a page (`explorer`); undefined when the bundle was not built. */
  page(name: string): WebAsset | undefined {
    if (!this.pages.has(name)) {
      const file = join(this.root, name, 'index.html');
      this.pages.set(name, existsSync(file) ? read(file) : undefined);
    }
    return this.pages.get(name);
  }

  /** A file of dist/web/assets by its (hashed) name. */
  asset(name: string): WebAsset | undefined {
    if (!this.assets) {
      const dir = join(this.root, 'assets');
      this.assets = new Map(
        (existsSync(dir) ? readdirSync(dir) : [])
          .filter((file) => CONTENT_TYPES[extname(file)] !== undefined)
          .map((file) => [file, read(join(dir, file))]),
      );
    }
    return this.assets.get(name);
  }
}

function read(file: string): WebAsset {
  return {
    body: readFileSync(file),
    contentType: CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
  };
}
