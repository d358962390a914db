/**
 * The shape of a benchmark suite as the repository's `npm run bench` runner loads it (any module exporting `suite`);
 * declared here so the package's benchmarks need nothing from outside the package.
 */
export interface BenchRow {
  benchmark: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  note?: string;
}

export interface BenchContext {
  /** Progress messages (stderr), so the table on stdout stays clean. */
  log(message: string): void;
  /** True when BENCH_FULL=1: run the full-size variants of the benchmarks. */
  full: boolean;
}

export interface BenchSuite {
  name: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}
