import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { node } from '@opentelemetry/sdk-node';
import { afterEach, describe, expect, it } from 'vitest';
import { QueryError, QueryErrorCode } from '../../modules/query/query-error.js';
import { inSpan, startSpan, tracing } from './kqlgate-tracer.js';

function register(): node.InMemorySpanExporter {
  const exporter = new node.InMemorySpanExporter();
  new node.NodeTracerProvider({ spanProcessors: [new node.SimpleSpanProcessor(exporter)] }).register();
  tracing.enabled = true;
  return exporter;
}

describe('kqlgate-tracer', () => {
  afterEach(() => {
    tracing.enabled = false;
    trace.disable();
    context.disable();
  });

  describe('inSpan', () => {
    it('should run the work without a span while tracing is off', async () => {
      let given: unknown = 'not called';
      const answer = await inSpan('x', {}, (span) => {
        given = span;
        return Promise.resolve(7);
      });
      expect(answer).toBe(7);
      expect(given).toBeUndefined();
      expect(startSpan('x', {})).toBeUndefined();
    });

    it('should nest the spans of awaited work under the active one', async () => {
      const exporter = register();
      await inSpan('outer', { attributes: { 'kqlgate.function': 'F' } }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        await inSpan('inner', {}, () => Promise.resolve());
      });
      const [inner, outer] = exporter.getFinishedSpans();
      expect(outer.name).toBe('outer');
      expect(outer.attributes).toEqual({ 'kqlgate.function': 'F' });
      expect(inner.name).toBe('inner');
      expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    });

    it('should mark a failed span by the error code, never by its message, and rethrow', async () => {
      const exporter = register();
      const error = new QueryError(QueryErrorCode.InvalidParameters, 'lookback "s3cr3t" is not a timespan');
      await expect(inSpan('failing', {}, () => Promise.reject(error))).rejects.toBe(error);
      const [span] = exporter.getFinishedSpans();
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: QueryErrorCode.InvalidParameters });
      expect(span.attributes).toEqual({ 'kqlgate.status': QueryErrorCode.InvalidParameters });
      expect(JSON.stringify(span.attributes)).not.toContain('s3cr3t');
    });
  });
});
