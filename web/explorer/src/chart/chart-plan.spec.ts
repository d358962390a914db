import { describe, expect, it } from 'vitest';
import { chartSeries, planChart } from './chart-plan.js';

const columns = [
  { name: 'Period', type: 'datetime' },
  { name: 'Channel', type: 'string' },
  { name: 'Orders', type: 'long' },
  { name: 'Revenue', type: 'real' },
];

describe('planChart', () => {
  it('should draw a time series for a datetime column with numbers', () => {
    expect(planChart(columns)).toEqual({ kind: 'time', x: 'Period', y: ['Orders', 'Revenue'] });
  });

  it('should draw bars for a string column with numbers', () => {
    expect(planChart(columns.slice(1))).toEqual({ kind: 'bars', x: 'Channel', y: ['Orders', 'Revenue'] });
  });

  it('should draw nothing without numbers', () => {
    expect(planChart(columns.slice(0, 2))).toBeUndefined();
  });

  it('should follow a @chart directive over the types', () => {
    expect(planChart(columns, { kind: 'columnchart', y: ['Revenue'] })).toEqual({
      kind: 'bars',
      x: 'Channel',
      y: ['Revenue'],
    });
    expect(planChart(columns, { kind: 'timechart', x: 'Period', y: ['Orders'] })).toEqual({
      kind: 'time',
      x: 'Period',
      y: ['Orders'],
    });
  });
});

describe('chartSeries', () => {
  it('should sort a time series by time and read longs sent as strings', () => {
    const series = chartSeries({ kind: 'time', x: 'Period', y: ['Orders'] }, [
      { Period: '2024-05-01T10:01:00Z', Orders: '9007199254740993' },
      { Period: '2024-05-01T10:00:00Z', Orders: 2 },
      { Period: null, Orders: 5 },
    ]);
    expect(series).toEqual({ x: [1714557600, 1714557660], ys: [[2, 9007199254740992]], labels: [] });
  });

  it('should put bars at their row index with their labels beside', () => {
    expect(
      chartSeries({ kind: 'bars', x: 'Channel', y: ['Revenue'] }, [
        { Channel: 'web', Revenue: 1.5 },
        { Channel: 'store', Revenue: null },
      ]),
    ).toEqual({ x: [0, 1], ys: [[1.5, null]], labels: ['web', 'store'] });
  });
});
