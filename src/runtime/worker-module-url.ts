/**
 * Where a worker thread finds a module of kqlgate. A thread loads modules with Node's own loader, which runs
 * JavaScript only. From dist/ (`npm start`, `kqlgate start`, the benchmarks) a module's URL is already the one to
 * load. From the TypeScript sources — the Vitest tests, which start the same parts as `npm start` — `./x.js` beside a
 * `.ts` file names nothing, so the thread loads the build of the same file in dist/ (vitest.config.ts's global setup
 * builds it before any test); the main thread's parts keep running from the sources.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root when this module runs from src/runtime/, dist/ when it runs from dist/src/runtime/. */
const root = new URL('../../', import.meta.url);
const fromSources = import.meta.url.endsWith('.ts');

/** `url` itself, or, when kqlgate runs from its sources, the same file in dist/ (which must have been built). */
export function workerModuleUrl(url: URL): URL {
  if (!fromSources || !url.href.startsWith(root.href)) {
    return url;
  }
  const built = new URL(`dist/${url.href.slice(root.href.length)}`, root);
  if (!existsSync(built)) {
    throw new Error(
      `${fileURLToPath(built)} does not exist: a worker thread runs the build of ${fileURLToPath(url).replace(/\.js$/, '.ts')}; run \`npm run build\``,
    );
  }
  return built;
}
