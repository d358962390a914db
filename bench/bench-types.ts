/** One measured figure. `baseline`/`ratio` compare against a baseline measured in the same run. */
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
