import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { FunctionResult } from '../api/explorer-function.js';
import { chartSeries, type ChartPlan } from './chart-plan.js';

const COLOURS = ['#2f6fdf', '#e0672c', '#2a9d5b', '#9b4dca', '#c9a227', '#d6336c'];
const HEIGHT = 300;

/** A one-line text alternative of the chart, for screen readers (and what the browser test reads). */
export function chartCaption(plan: ChartPlan, points: number): string {
  const kind = plan.kind === 'bars' ? 'Bars' : plan.kind === 'time' ? 'Time series' : 'Lines';
  return `${kind} of ${plan.y.join(', ')} by ${plan.x}: ${points} point${points === 1 ? '' : 's'}`;
}

/**
 * The result drawn with uPlot (canvas; its styles come from its bundled CSS file, so the page's CSP needs no
 * 'unsafe-inline'). Rebuilt when the result changes: results are capped by maxRows, so a rebuild is cheap, and a
 * live update then shows the new points at once.
 */
export function ResultChart({ plan, result }: { plan: ChartPlan; result: FunctionResult }) {
  const host = useRef<HTMLDivElement>(null);
  const series = chartSeries(plan, result.data);
  useEffect(() => {
    const element = host.current;
    if (!element) {
      return undefined;
    }
    const bars = plan.kind === 'bars';
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: HEIGHT,
      scales: { x: { time: plan.kind === 'time' } },
      axes: [
        bars
          ? {
              values: (_plot, ticks) => ticks.map((tick) => series.labels[tick] ?? ''),
              splits: () => series.x,
            }
          : {},
        {},
      ],
      series: [
        { label: plan.x },
        ...plan.y.map((name, index) => ({
          label: name,
          stroke: COLOURS[index % COLOURS.length],
          width: 2,
          ...(bars
            ? {
                fill: `${COLOURS[index % COLOURS.length]}99`,
                paths: uPlot.paths.bars!({ size: [0.8 / plan.y.length, 80], align: 1 }),
                points: { show: false },
              }
            : {}),
        })),
      ],
    };
    const plot = new uPlot(options, [series.x, ...series.ys] as uPlot.AlignedData, element);
    return () => plot.destroy();
  }, [plan, result]);
  return (
    <figure class="chart">
      <div ref={host} role="img" aria-label={chartCaption(plan, series.x.length)} />
      <figcaption>{chartCaption(plan, series.x.length)}</figcaption>
    </figure>
  );
}
