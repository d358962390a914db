/**
 * The spans kqlgate writes itself (gateway calls, ingestion), through the @opentelemetry/api only. Until
 * telemetry-starter.ts has registered an SDK, `tracing.enabled` is false and every helper here calls its work
 * directly: no span object, no context switch, nothing allocated — tracing off costs one branch per stage.
 *
 * Attributes name what happened (function, cache outcome, rows, status, message id), never a parameter value,
 * a token or a message body.
 */
import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

export { ROOT_CONTEXT, SpanKind };
export type { Attributes, Context, Link, Span };

/** Whether an SDK is registered (set once by telemetry-starter.ts at start-up). */
export const tracing = { enabled: false };

/** The instrumentation scope of kqlgate's own spans. */
export const TRACER_NAME = 'kqlgate';

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  links?: Link[];
  /** The parent; default the active context. */
  parent?: Context;
}

/**
 * Runs `work` inside a new active span named `name` (its children nest under it), ends the span when the work
 * settles and marks it failed with the error's code when it throws. Without tracing, runs `work(undefined)`.
 */
export function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!tracing.enabled) {
    return work(undefined);
  }
  const span = startSpan(name, options)!;
  return context.with(trace.setSpan(options.parent ?? context.active(), span), async () => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A span the caller ends (one that outlives a single call, like a message's). Undefined without tracing. */
export function startSpan(name: string, options: SpanOptions): Span | undefined {
  if (!tracing.enabled) {
    return undefined;
  }
  return tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
    options.parent ?? context.active(),
  );
}

/**
 * Marks a span failed: status ERROR described by the error's code (kqlgate errors carry one) or its class name —
 * never its message, which may quote a parameter value the caller sent.
 */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) {
    return;
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const described = typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
  span.setAttribute('kqlgate.status', described);
  span.setStatus({ code: SpanStatusCode.ERROR, message: described });
}
