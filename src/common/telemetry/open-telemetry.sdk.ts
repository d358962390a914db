/**
 * The OpenTelemetry SDK of a kqlgate process — loaded by telemetry-starter.ts only when telemetry is on, so a
 * process without it never loads any of this.
 *
 * - OTLP (OTEL_EXPORTER_OTLP_ENDPOINT): the NodeSDK, which reads the standard OTEL_* variables itself (endpoint,
 *   protocol, headers, sampler, resource attributes); the metric reader is ours, to add the prom-client bridge.
 * - Azure Monitor (APPLICATIONINSIGHTS_CONNECTION_STRING): Microsoft's distro, with the same bridge on a reader
 *   of its exporter. Its HTTP/database/logger instrumentations stay off: kqlgate writes its own request spans.
 *
 * Both register the Azure SDKs' instrumenter on @azure/core-tracing directly: the instrumentation package's
 * require hook never sees an ES module import, and the Service Bus, Storage and Identity clients then emit their
 * own spans (message, StreamReceiver.process, settle, blob upload…) under kqlgate's.
 */
import { useInstrumenter } from '@azure/core-tracing';
import { createOpenTelemetryInstrumenter } from '@azure/opentelemetry-instrumentation-azure-sdk';
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { register } from 'prom-client';
import type { EnvConfig } from '../../config/env.dto.js';
import { PromClientMetricProducer } from './prom-client-metric.producer.js';

export interface RunningTelemetry {
  /** Exports what is buffered and stops the SDK; the @opentelemetry/api falls back to its no-op. */
  shutdown(): Promise<void>;
}

function metricReader(config: EnvConfig, exporter: PushMetricExporter): PeriodicExportingMetricReader {
  return new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.OTEL_METRIC_EXPORT_INTERVAL,
    exportTimeoutMillis: Math.min(30_000, config.OTEL_METRIC_EXPORT_INTERVAL),
    metricProducers: [new PromClientMetricProducer(register)],
  });
}

async function otlpMetricExporter(config: EnvConfig): Promise<PushMetricExporter> {
  // The exporters read OTEL_EXPORTER_OTLP_(METRICS_)ENDPOINT and _HEADERS from the environment themselves.
  switch (config.OTEL_EXPORTER_OTLP_PROTOCOL) {
    case 'http/json':
      return new (await import('@opentelemetry/exporter-metrics-otlp-http')).OTLPMetricExporter();
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-metrics-otlp-proto')).OTLPMetricExporter();
  }
}

async function startOtlp(config: EnvConfig): Promise<RunningTelemetry> {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    serviceName: config.OTEL_SERVICE_NAME,
    metricReaders: [metricReader(config, await otlpMetricExporter(config))],
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

async function startAzureMonitor(config: EnvConfig): Promise<RunningTelemetry> {
  const { useAzureMonitor, shutdownAzureMonitor } = await import('@azure/monitor-opentelemetry');
  const { AzureMonitorMetricExporter } = await import('@azure/monitor-opentelemetry-exporter');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const connectionString = config.APPLICATIONINSIGHTS_CONNECTION_STRING;
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    resource: resourceFromAttributes({ 'service.name': config.OTEL_SERVICE_NAME }),
    metricReaders: [metricReader(config, new AzureMonitorMetricExporter({ connectionString }))],
    instrumentationOptions: {
      azureSdk: { enabled: true },
      http: { enabled: false },
      mongoDb: { enabled: false },
      mySql: { enabled: false },
      postgreSql: { enabled: false },
      redis: { enabled: false },
      redis4: { enabled: false },
      bunyan: { enabled: false },
      winston: { enabled: false },
    },
  });
  return { shutdown: () => shutdownAzureMonitor() };
}

export async function startOpenTelemetry(
  config: EnvConfig,
  target: 'otlp' | 'azure-monitor',
): Promise<RunningTelemetry> {
  const running = target === 'otlp' ? await startOtlp(config) : await startAzureMonitor(config);
  useInstrumenter(createOpenTelemetryInstrumenter());
  return {
    async shutdown() {
      await running.shutdown();
      // A later start in the same process (the tests start several instances) registers afresh.
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}
