import { describe, expect, it } from 'vitest';
import { workerModuleUrl } from './worker-module-url.js';

// These specs run from the TypeScript sources, as every Vitest test does; the global setup has built dist/.
const root = new URL('../../', import.meta.url);

describe(workerModuleUrl.name, () => {
  it('should name the build in dist/ of a module beside a TypeScript source', () => {
    const url = workerModuleUrl(new URL('./part-worker.js', import.meta.url));

    expect(url.href).toBe(new URL('dist/src/runtime/part-worker.js', root).href);
  });

  it('should leave a module outside the repository as it is', () => {
    const elsewhere = new URL('file:///opt/other/worker.js');

    expect(workerModuleUrl(elsewhere)).toBe(elsewhere);
  });

  it('should say which build is missing and how to make it', () => {
    expect(() => workerModuleUrl(new URL('./no-such-part.js', import.meta.url))).toThrow(
      `${new URL('dist/src/runtime/no-such-part.js', root).pathname} does not exist: a worker thread runs the build of ${new URL('src/runtime/no-such-part.ts', root).pathname}; run \`npm run build\``,
    );
  });
});
