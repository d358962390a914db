import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as the OTLP/HTTP JSON encoding carries it (ids in hex), with its attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
  scope: string;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  links?: { traceId: string; spanId: string; attributes?: OtlpAttribute[] }[];
  status?: { code?: number; message?: string };
}

interface OtlpTraces {
  resourceSpans?: { scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[] }[];
}

interface OtlpMetrics {
  resourceMetrics?: { scopeMetrics?: { scope?: { name?: string }; metrics?: { name: string }[] }[] }[];
}

function flatten(attributes: OtlpAttribute[] | undefined): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) {
    const [first] = Object.values(value);
    // int64 values travel as strings in OTLP JSON.
    flat[key] = 'intValue' in value ? Number(first) : first;
  }
  return flat;
}

/**
 * An OTLP/HTTP receiver on 127.0.0.1 for the `http/json` protocol: what a collector would get from kqlgate's
 * exporters (/v1/traces, /v1/metrics; other signals are acknowledged and dropped).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Metric names received, with the instrumentation scope that sent them. */
  readonly metrics: { scope: string; name: string }[] = [];
  private server?: Server;

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (request.url === '/v1/traces') {
          this.receiveTraces(JSON.parse(body) as OtlpTraces);
        } else if (request.url === '/v1/metrics') {
          this.receiveMetrics(JSON.parse(body) as OtlpMetrics);
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Waits (polling, generous bound) until `find` returns something for the spans received so far. */
  async waitFor<T>(
    what: string,
    find: (spans: ReceivedSpan[]) => T | undefined,
    timeoutMs = 30_000,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find(this.spans);
      if (found !== undefined) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no ${what} among ${this.spans.length} spans received: ${this.spans.map((s) => s.name).join(', ')}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private receiveTraces(body: OtlpTraces): void {
    for (const resource of body.resourceSpans ?? []) {
      for (const scopeSpans of resource.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            kind: span.kind,
            attributes: flatten(span.attributes),
            links: (span.links ?? []).map((link) => ({
              traceId: link.traceId,
              spanId: link.spanId,
              attributes: flatten(link.attributes),
            })),
            status: span.status,
            scope: scopeSpans.scope?.name ?? '',
          });
        }
      }
    }
  }

  private receiveMetrics(body: OtlpMetrics): void {
    for (const resource of body.resourceMetrics ?? []) {
      for (const scopeMetrics of resource.scopeMetrics ?? []) {
        for (const metric of scopeMetrics.metrics ?? []) {
          this.metrics.push({ scope: scopeMetrics.scope?.name ?? '', name: metric.name });
        }
      }
    }
  }
}
