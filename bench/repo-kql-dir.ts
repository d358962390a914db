import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** kql/ of the repository, from the TypeScript source (bench/…) or the build (dist/bench/…). */
export function repoKqlDir(): string {
  const candidates = [resolve(import.meta.dirname, '../kql'), resolve(import.meta.dirname, '../../kql')];
  const found = candidates.find((dir) => existsSync(join(dir, 'functions')));
  if (!found) {
    throw new Error(`kql/ not found next to the benchmark (looked in ${candidates.join(', ')})`);
  }
  return found;
}
