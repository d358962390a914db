import { cellText } from '../api/cell-text.js';
import type { ChartSpec, ExplorerColumn } from '../api/explorer-function.js';

/** What to draw: a line per y column over time (or over a numeric x), or a group of bars per x label. */
export interface ChartPlan {
  readonly kind: 'time' | 'line' | 'bars';
  readonly x: string;
  readonly y: readonly string[];
}

const NUMERIC = new Set(['int', 'long', 'real', 'decimal']);

/**
 * The chart of a result, from its columns and the function's `// @chart` directive. Without a directive it
 * follows the output types, as KQL's `render` would: a datetime column and numbers → a time series, a string
 * column and numbers → bars; anything else → no chart (the table stays). A directive picks the kind and, when
 * given, x and y (the gateway checked at load that they are output columns of the right types).
 */
export function planChart(columns: readonly ExplorerColumn[], spec?: ChartSpec): ChartPlan | undefined {
  const first = (type: string) => columns.find((c) => c.type === type)?.name;
  const numbers = (except: string) =>
    columns.filter((c) => NUMERIC.has(c.type) && c.name !== except).map((c) => c.name);
  if (spec) {
    const bars = spec.kind === 'barchart' || spec.kind === 'columnchart';
    const x =
      spec.x ?? (bars ? (first('string') ?? columns[0]?.name) : (first('datetime') ?? columns[0]?.name));
    if (x === undefined) {
      return undefined;
    }
    const y = spec.y && spec.y.length > 0 ? spec.y : numbers(x);
    const xType = columns.find((c) => c.name === x)?.type;
    const kind = bars ? 'bars' : xType === 'datetime' ? 'time' : NUMERIC.has(xType ?? '') ? 'line' : 'bars';
    return y.length > 0 ? { kind, x, y } : undefined;
  }
  const time = first('datetime');
  if (time !== undefined && numbers(time).length > 0) {
    return { kind: 'time', x: time, y: numbers(time) };
  }
  const label = first('string');
  if (label !== undefined && numbers(label).length > 0) {
    return { kind: 'bars', x: label, y: numbers(label) };
  }
  return undefined;
}

/** A cell as a number for the chart: longs beyond 2^53 and decimals arrive as strings; null stays a gap. */
export function chartNumber(value: unknown): number | null {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : null;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/**
 * The plan applied to rows, as uPlot's aligned columns: x first (epoch seconds for time, the value for a numeric
 * line, the row index for bars, whose labels are returned beside), then one series per y column. Time series are
 * sorted by time, since uPlot expects an ascending x.
 */
export function chartSeries(
  plan: ChartPlan,
  rows: readonly Record<string, unknown>[],
): { x: number[]; ys: (number | null)[][]; labels: string[] } {
  const xOf = (row: Record<string, unknown>, index: number): number | null => {
    switch (plan.kind) {
      case 'time': {
        const ms = typeof row[plan.x] === 'string' ? Date.parse(row[plan.x] as string) : NaN;
        return Number.isNaN(ms) ? null : ms / 1000;
      }
      case 'line':
        return chartNumber(row[plan.x]);
      case 'bars':
        return index;
    }
  };
  const points = rows
    .map((row, index) => ({ row, x: xOf(row, index) }))
    .filter((point): point is { row: Record<string, unknown>; x: number } => point.x !== null);
  if (plan.kind !== 'bars') {
    points.sort((a, b) => a.x - b.x);
  }
  return {
    x: points.map((p) => p.x),
    ys: plan.y.map((column) => points.map((p) => chartNumber(p.row[column]))),
    labels: plan.kind === 'bars' ? points.map((p) => cellText(p.row[plan.x])) : [],
  };
}
