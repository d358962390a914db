import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { KqlSourceFile } from './catalog.types.js';

const SUBDIRECTORIES = ['tables', 'functions'];

/** Reads (and watches) the `.kql` files of a kql/ directory: `tables/**` and `functions/**`. */
export class KqlDirectorySource {
  constructor(readonly root: string) {}

  async read(): Promise<KqlSourceFile[]> {
    const files: KqlSourceFile[] = [];
    for (const sub of SUBDIRECTORIES) {
      for (const path of await listKql(join(this.root, sub))) {
        const text = await readIfPresent(path);
        // A file deleted between the listing and the read (an editor's save-by-rename, `rm` during a watched
        // reload) is simply not part of this version; its deletion triggers the next reload anyway.
        if (text !== undefined) {
          files.push({ path: relative(this.root, path).split(sep).join('/'), text });
        }
      }
    }
    if (files.length === 0) {
      throw new Error(
        `no .kql files under ${join(this.root, 'tables')} or ${join(this.root, 'functions')}: is KQL_DIR (or --kql) right?`,
      );
    }
    return files;
  }

  /** Calls `onChange` once per burst of file events (editors write several times per save). */
  watch(onChange: () => void, debounceMs = 150): () => void {
    const watchers: FSWatcher[] = [];
    let timer: NodeJS.Timeout | undefined;
    const fire = (): void => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    };
    for (const sub of SUBDIRECTORIES) {
      try {
        watchers.push(watch(join(this.root, sub), { recursive: true }, fire));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
          throw error;
        }
      }
    }
    return () => {
      clearTimeout(timer);
      watchers.forEach((w) => w.close());
    };
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

async function listKql(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...(await listKql(path)));
    } else if (entry.isFile() && entry.name.endsWith('.kql')) {
      files.push(path);
    }
  }
  return files;
}
