/**
 * The bridge from prom-client to OpenTelemetry: an OTel MetricProducer that reads the Prometheus registry at each
 * export and hands its counters, gauges and histograms to the metric reader, unchanged in name and labels.
 *
 * Why a bridge and not OTel instruments: every kqlgate metric is defined once, with prom-client, where /metrics,
 * the dashboards and the alert rules already read it (`kqlgate_<area>_<what>`, the packages' prefixes included);
 * defining them twice would let the two drift, and moving them all to the OTel API would change /metrics. The cost
 * is paid only at export time (every OTEL_METRIC_EXPORT_INTERVAL) and only when telemetry is on.
 *
 * prom-client values are cumulative since the process started, so they are exported with CUMULATIVE temporality
 * from that start. Summaries have no OTel data point of the same meaning and are left out (kqlgate defines none).
 */
import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
} from '@opentelemetry/sdk-metrics';
import type { Registry } from 'prom-client';

/** One metric as `registry.getMetricsAsJSON()` gives it (its `type` is a string at run time). */
interface PromMetric {
  name: string;
  help: string;
  type: unknown;
  values: { value: number; labels: Record<string, string | number | undefined>; metricName?: string }[];
}

export const PROM_CLIENT_SCOPE = { name: 'kqlgate/prom-client' } as const;

function hrTimeOf(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}

function attributesOf(labels: Record<string, string | number | undefined>): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(labels)) {
    if (value !== undefined && key !== 'le') {
      attributes[key] = value;
    }
  }
  return attributes;
}

export class PromClientMetricProducer implements MetricProducer {
  private readonly startTime: HrTime;

  constructor(
    private readonly registry: Registry,
    startedAtMs: number = Date.now() - process.uptime() * 1000,
  ) {
    this.startTime = hrTimeOf(startedAtMs);
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTimeOf(Date.now());
    const metrics = (await this.registry.getMetricsAsJSON()) as unknown as PromMetric[];
    const converted: MetricData[] = [];
    for (const metric of metrics) {
      const data = this.convert(metric, endTime);
      if (data) {
        converted.push(data);
      }
    }
    return {
      resourceMetrics: {
        // The reader keeps its SDK's resource and takes only the scope metrics of a producer.
        resource: emptyResource(),
        scopeMetrics: [{ scope: PROM_CLIENT_SCOPE, metrics: converted }],
      },
      errors: [],
    };
  }

  private convert(metric: PromMetric, endTime: HrTime): MetricData | undefined {
    const descriptor = { name: metric.name, description: metric.help, unit: '', valueType: ValueType.DOUBLE };
    const point = <T>(labels: Record<string, string | number | undefined>, value: T): DataPoint<T> => ({
      startTime: this.startTime,
      endTime,
      attributes: attributesOf(labels),
      value,
    });
    switch (metric.type) {
      case 'counter':
        return {
          descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: metric.values.map((v) => point(v.labels, v.value)),
        };
      case 'gauge':
        return {
          descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.GAUGE,
          dataPoints: metric.values.map((v) => point(v.labels, v.value)),
        };
      case 'histogram':
        return {
          descriptor,
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: histogramPoints(metric).map(({ labels, histogram }) => point(labels, histogram)),
        };
      default:
        return undefined;
    }
  }
}

/**
 * prom-client writes a histogram as `_bucket` values (cumulative counts, one per `le`), `_sum` and `_count`, each
 * with the series' labels; OTel wants one data point per series with per-bucket counts.
 */
function histogramPoints(
  metric: PromMetric,
): { labels: Record<string, string | number | undefined>; histogram: Histogram }[] {
  const series = new Map<
    string,
    {
      labels: Record<string, string | number | undefined>;
      buckets: [number, number][];
      sum: number;
      count: number;
    }
  >();
  for (const value of metric.values) {
    const labels = attributesOf(value.labels);
    const key = JSON.stringify(labels);
    let entry = series.get(key);
    if (!entry) {
      entry = { labels: value.labels, buckets: [], sum: 0, count: 0 };
      series.set(key, entry);
    }
    if (value.metricName === `${metric.name}_bucket`) {
      const le = value.labels.le;
      entry.buckets.push([le === '+Inf' ? Infinity : Number(le), value.value]);
    } else if (value.metricName === `${metric.name}_sum`) {
      entry.sum = value.value;
    } else if (value.metricName === `${metric.name}_count`) {
      entry.count = value.value;
    }
  }
  return [...series.values()].map(({ labels, buckets, sum, count }) => {
    buckets.sort((a, b) => a[0] - b[0]);
    const boundaries = buckets.filter(([bound]) => Number.isFinite(bound)).map(([bound]) => bound);
    const counts = buckets.map(([, cumulative], i) => cumulative - (i > 0 ? buckets[i - 1][1] : 0));
    return { labels, histogram: { buckets: { boundaries, counts }, sum, count, hasMinMax: false } };
  });
}
