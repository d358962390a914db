import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig, type Plugin } from 'vitest/config';

// SWC (not esbuild) transpiles the tests so that NestJS decorator metadata is emitted.
const swcPlugin = swc.vite({
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
  },
  module: { type: 'es6' },
});

const packagesDir = join(import.meta.dirname, 'packages');

/**
 * Resolves `@kqlgate/<name>[/<entry>]` to that entry's TypeScript source (its `kqlgate-source` export in the
 * package's package.json), so tests run without a build. A plugin rather than a resolve condition: Vitest hands
 * resolve conditions to Node as `--conditions`, and the worker threads of the code under test inherit them, so
 * Node itself would then load the `.ts` files — the threads must run dist/.
 */
const packageSources: Plugin = {
  name: 'kqlgate-package-sources',
  enforce: 'pre',
  resolveId(source) {
    const match = /^@kqlgate\/([a-z0-9-]+)(\/[a-z0-9-]+)?$/.exec(source);
    if (!match) {
      return null;
    }
    const dir = join(packagesDir, match[1]);
    const { exports } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      exports?: Record<string, { 'kqlgate-source'?: string }>;
    };
    const entry = exports?.[`.${match[2] ?? ''}`]?.['kqlgate-source'];
    return entry ? resolve(dir, entry) : null;
  },
};
const plugins = [swcPlugin, packageSources];

/** One package's tests: its unit specs beside the code and its test/ folder. `npm test -w packages/<name>`. */
function packageProject(name: string) {
  return {
    plugins,
    root: join(packagesDir, name),
    test: {
      name,
      include: ['src/**/*.spec.ts', 'test/**/*.test.ts'],
      // One module registry per worker for the package's files, as in the unit project: loading Kusto.Language,
      // DuckDB and the compiler once instead of once per file took the kusto-emulator specs from 180 s to 20–30 s
      // on 2 cores (docs/performance.md, "The test suite"). Every file still starts its own servers and stores.
      isolate: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  };
}

export default defineConfig({
  plugins,
  test: {
    // Builds dist/ once for the run (packages and app); tests that spawn bins or workers use it.
    globalSetup: [join(import.meta.dirname, 'test', 'global-build.ts')],
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores, which is one worker on CI's two: the suite then spent
    // most of its time waiting on child processes (engine, broker, app) with a core idle. Two workers took the
    // suite from 1,056 s to 780 s on the same 2-core machine, every test passing (docs/performance.md).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      packageProject('kql-language'),
      packageProject('data-directory'),
      packageProject('kusto-emulator'),
      packageProject('servicebus-emulator'),
      packageProject('demo-shop'),
      {
        plugins,
        test: {
          name: 'unit',
          // The specs share one module registry per worker instead of re-importing NestJS and the app's modules for
          // each of the 95 files (docs/performance.md, "The test suite"). A spec that mocks a module its subject
          // imports resets the registry first and imports its subject afterwards (kql-directory.source.spec.ts).
          isolate: false,
          // web/: the browser pages' pure logic (chart planning, snippets, the SSE parser).
          include: ['src/**/*.spec.ts', 'web/**/*.spec.ts'],
          // A guard against hangs, not a speed target: the specs that load Kusto.Language (catalog analysis) take
          // a few seconds alone and went past 20 s on a loaded 2-core machine.
          testTimeout: 60_000,
        },
      },
      {
        plugins,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins,
        test: {
          // Static checks of committed files: deployment files (infra/, deploy/kubernetes/: kubectl kustomize, schemas,
          // Bicep syntax) and the generated contracts (npm run sync).
          name: 'deploy',
          include: ['test/deploy/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [swcPlugin],
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Two files at a time, as in the other projects: each starts its own stack on free ports and its own
          // temporary directories. Run one at a time, the e2e files were a chain that left a worker idle
          // (docs/performance.md, "The test suite").
        },
      },
    ],
  },
});
