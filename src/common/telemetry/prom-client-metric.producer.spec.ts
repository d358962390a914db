import { DataPointType, type HistogramMetricData, type MetricData } from '@opentelemetry/sdk-metrics';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PROM_CLIENT_SCOPE, PromClientMetricProducer } from './prom-client-metric.producer.js';

async function collected(registry: Registry): Promise<MetricData[]> {
  const result = await new PromClientMetricProducer(registry, Date.UTC(2026, 0, 1)).collect();
  expect(result.errors).toEqual([]);
  expect(result.resourceMetrics.scopeMetrics).toHaveLength(1);
  expect(result.resourceMetrics.scopeMetrics[0].scope).toEqual(PROM_CLIENT_SCOPE);
  return result.resourceMetrics.scopeMetrics[0].metrics;
}

describe(PromClientMetricProducer.name, () => {
  describe('collect', () => {
    it('should export a counter as a cumulative monotonic sum, one point per label set, from the process start', async () => {
      const registry = new Registry();
      const counter = new Counter({
        name: 'kqlgate_x_total',
        help: 'x',
        labelNames: ['table'],
        registers: [registry],
      });
      counter.inc({ table: 'A' }, 3);
      counter.inc({ table: 'B' });
      const [metric] = await collected(registry);
      expect(metric).toMatchObject({
        descriptor: { name: 'kqlgate_x_total', description: 'x' },
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
      });
      expect(metric.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
        [{ table: 'A' }, 3],
        [{ table: 'B' }, 1],
      ]);
      expect(metric.dataPoints[0].startTime).toEqual([Date.UTC(2026, 0, 1) / 1000, 0]);
    });

    it('should export a gauge as a gauge', async () => {
      const registry = new Registry();
      new Gauge({ name: 'kqlgate_g', help: 'g', registers: [registry] }).set(7);
      const [metric] = await collected(registry);
      expect(metric.dataPointType).toBe(DataPointType.GAUGE);
      expect(metric.dataPoints[0].value).toBe(7);
    });

    it('should turn cumulative le buckets into per-bucket counts, with sum and count, per series', async () => {
      const registry = new Registry();
      const histogram = new Histogram({
        name: 'kqlgate_h_seconds',
        help: 'h',
        labelNames: ['function'],
        buckets: [0.5, 2],
        registers: [registry],
      });
      histogram.observe({ function: 'F' }, 0.25);
      histogram.observe({ function: 'F' }, 1);
      histogram.observe({ function: 'F' }, 4);
      histogram.observe({ function: 'G' }, 1);
      const [metric] = (await collected(registry)) as HistogramMetricData[];
      expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
      expect(metric.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
        [
          { function: 'F' },
          { buckets: { boundaries: [0.5, 2], counts: [1, 1, 1] }, sum: 5.25, count: 3, hasMinMax: false },
        ],
        [
          { function: 'G' },
          { buckets: { boundaries: [0.5, 2], counts: [0, 1, 0] }, sum: 1, count: 1, hasMinMax: false },
        ],
      ]);
    });

    it('should leave summaries out: OTel has no data point of the same meaning', async () => {
      const registry = new Registry();
      new Summary({ name: 'kqlgate_s', help: 's', registers: [registry] }).observe(1);
      expect(await collected(registry)).toEqual([]);
    });
  });
});
