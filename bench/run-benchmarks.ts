/**
 * `npm run bench`: runs every suite in bench/suites and in each package's bench/ (or those named on the command
 * line), prints one table and writes bench/results/<suite>.json with the rows and the machine they were measured on.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow, BenchSuite } from './bench-types.js';

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist/bench/; results belong to the source tree's bench/results.
const repoRoot = resolve(here, '..', '..');
const resultsDir = join(repoRoot, 'bench', 'results');

/**
 * The compiled suite files: the app's (dist/bench/suites) and the packages' (dist/packages/<name>/bench), each only
 * while its source exists — tsc leaves the output of a moved or deleted suite in dist/, and it must not run.
 */
function suiteFiles(): string[] {
  const distRoot = resolve(here, '..');
  const packagesDir = join(distRoot, 'packages');
  const dirs = [
    join(here, 'suites'),
    ...(existsSync(packagesDir)
      ? readdirSync(packagesDir).map((name) => join(packagesDir, name, 'bench'))
      : []),
  ].filter((dir) => existsSync(dir));
  return dirs
    .flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.bench.js'))
        .map((f) => join(dir, f)),
    )
    .filter((file) => existsSync(join(repoRoot, relative(distRoot, file)).replace(/\.js$/, '.ts')))
    .sort((a, b) => basename(a).localeCompare(basename(b)));
}

async function loadSuites(only: string[]): Promise<BenchSuite[]> {
  const suites: BenchSuite[] = [];
  for (const file of suiteFiles()) {
    const mod = (await import(pathToFileURL(file).href)) as { suite?: BenchSuite };
    if (mod.suite && (only.length === 0 || only.includes(mod.suite.name))) {
      suites.push(mod.suite);
    }
  }
  return suites;
}

function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) {
    return '';
  }
  return Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 1
      ? value.toFixed(2)
      : value.toPrecision(3);
}

function printTable(rows: Array<BenchRow & { suite: string }>): void {
  const header = ['suite', 'benchmark', 'metric', 'value', 'unit', 'baseline', 'ratio', 'note'];
  const body = rows.map((r) => [
    r.suite,
    r.benchmark,
    r.metric,
    formatNumber(r.value),
    r.unit,
    formatNumber(r.baseline),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join(' | ');
  process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const row of body) {
    process.stdout.write(`${line(row)}\n`);
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const suites = await loadSuites(only);
  const ctx = {
    log: (m: string) => process.stderr.write(`[bench] ${m}\n`),
    full: process.env.BENCH_FULL === '1',
  };
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryBytes: totalmem(),
  };
  const all: Array<BenchRow & { suite: string }> = [];
  let failed = false;
  mkdirSync(resultsDir, { recursive: true });
  for (const suite of suites) {
    ctx.log(`suite ${suite.name}…`);
    const started = Date.now();
    try {
      const rows = await suite.run(ctx);
      all.push(...rows.map((r) => ({ ...r, suite: suite.name })));
      writeFileSync(
        join(resultsDir, `${suite.name}.json`),
        `${JSON.stringify({ suite: suite.name, measuredAt: new Date().toISOString(), durationMs: Date.now() - started, machine, rows }, null, 2)}\n`,
      );
    } catch (error) {
      failed = true;
      ctx.log(
        `suite ${suite.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
  }
  printTable(all);
  process.exitCode = failed ? 1 : 0;
}

await main();
