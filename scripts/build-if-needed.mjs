#!/usr/bin/env node
// Builds dist/ and each package's dist/ (`tsc -b`: the packages first, then the app; then Vite bundles web/ into
// dist/web) when any source is newer than
// the last build (or there is none), so `npm start`, `npm run bench` and `npx kqlgate` work straight after `npm ci`
// and stay fast afterwards.
// `npm ci` runs it as the `prepare` script, so a fresh clone pays the build during the install rather than in
// its first `npm start`. There `--skip-without-typescript` makes a production install (`npm ci --omit=dev`,
// no compiler) skip the build instead of failing; it then needs a dist/ built elsewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.built');

// Benchmark results are written under bench/ but are not sources, nor are the packages' build outputs and their
// own node_modules: they must not make the build look stale.
const packagesDir = join(root, 'packages');
const packageNames = existsSync(packagesDir) ? readdirSync(packagesDir) : [];
const notSources = new Set([
  join(root, 'bench', 'results'),
  ...packageNames.flatMap((name) => [
    join(packagesDir, name, 'dist'),
    join(packagesDir, name, 'node_modules'),
  ]),
]);

function newestMtime(path) {
  if (!existsSync(path) || notSources.has(path)) {
    return 0;
  }
  const stat = statSync(path);
  if (!stat.isDirectory()) {
    return stat.mtimeMs;
  }
  let newest = 0;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const sources = [
  'src',
  'web',
  'bench',
  'packages',
  'tsconfig.json',
  'tsconfig.base.json',
  'tsconfig.build.json',
  'package.json',
].map((p) => join(root, p));
const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const newest = Math.max(...sources.map(newestMtime));

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (built < newest && !existsSync(tsc) && process.argv.includes('--skip-without-typescript')) {
  process.stderr.write('kqlgate: typescript is not installed (production install?); not building dist/\n');
  process.exit(0);
}

if (built < newest) {
  process.stderr.write('kqlgate: building (tsc -b tsconfig.build.json, vite build)…\n');
  try {
    execFileSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.build.json')], {
      cwd: root,
      stdio: 'inherit',
    });
    // The browser pages (web/, the explorer): Vite bundles them into dist/web, which the gateway serves.
    execFileSync(
      process.execPath,
      [
        join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        join(root, 'web', 'vite.config.ts'),
        '--logLevel',
        'warn',
      ],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  } catch {
    process.stderr.write('kqlgate: build failed (see the errors above)\n');
    process.exit(1);
  }
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
}
