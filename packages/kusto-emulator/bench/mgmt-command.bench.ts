/**
 * Management-command parsing (@kqlgate/kql-language's parser, which the engine runs every command through):
 *  - a `.create function` whose body is 1 MB and 5 MB of KQL lines (one string, one brace in it, one comment each,
 *    about 10 tokens a line): the whole body is tokenized to find its closing brace;
 *  - a 5 MB `.ingest inline` of CSV: only the head is tokenized, the data after `<|` is taken verbatim.
 * Each: one warm-up, then the median of 5 parses (wall and CPU time; the machine is shared, so CPU time is the
 * steadier figure). Line and column used to be computed per token from the command's start, which made the
 * function cases quadratic (a 1 MB body did not finish in 5 minutes); they are now computed only for an error.
 */
import { performance } from 'node:perf_hooks';
import { parseManagementCommand } from '@kqlgate/kql-language';
import type { BenchContext, BenchRow, BenchSuite } from './bench-types.js';

const MB = 1024 * 1024;
const RUNS = 5;

function functionCommand(bytes: number): string {
  const line = '  | where s != "}" and n > 1 // a } too\n';
  return `.create function F(n: long = 1) {\nT\n${line.repeat(Math.ceil(bytes / line.length))}}`;
}

function ingestCommand(bytes: number): string {
  const line = 'a,"b ""c""",\'d,42\n';
  return `.ingest inline into table T with (format='csv') <|\n${line.repeat(Math.ceil(bytes / line.length))}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function measure(name: string, text: string, ctx: BenchContext): BenchRow[] {
  parseManagementCommand(text);
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    parseManagementCommand(text);
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1000);
  }
  ctx.log(`${name}: ${median(wall).toFixed(1)} ms`);
  const note = `${(text.length / MB).toFixed(1)} MB command, median of ${RUNS}`;
  return [
    { benchmark: name, metric: 'parse wall', value: median(wall), unit: 'ms', note },
    { benchmark: name, metric: 'parse cpu', value: median(cpu), unit: 'ms', note },
    { benchmark: name, metric: 'throughput', value: text.length / MB / (median(cpu) / 1000), unit: 'MB/s' },
  ];
}

export const suite: BenchSuite = {
  name: 'mgmt-command',
  run(ctx: BenchContext): Promise<BenchRow[]> {
    return Promise.resolve([
      ...measure('.create function, 1 MB body', functionCommand(MB), ctx),
      ...measure('.create function, 5 MB body', functionCommand(5 * MB), ctx),
      ...measure('.ingest inline, 5 MB CSV', ingestCommand(5 * MB), ctx),
    ]);
  },
};
