import { describe, expect, it } from 'vitest';
import { producerContext } from './ingestion-tracer.js';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

describe('producerContext', () => {
  it('should read the W3C traceparent application property', () => {
    expect(producerContext({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` })).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 1,
      isRemote: true,
    });
  });

  it('should fall back to Diagnostic-Id, which @azure/service-bus writes, and keep an unsampled flag', () => {
    expect(producerContext({ 'Diagnostic-Id': `00-${TRACE_ID}-${SPAN_ID}-00` })).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: 0,
    });
  });

  it('should prefer traceparent when a message carries both', () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    expect(
      producerContext({
        traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`,
        'Diagnostic-Id': `00-${other}-${SPAN_ID}-01`,
      })?.traceId,
    ).toBe(TRACE_ID);
  });

  it('should ignore absent, malformed, all-zero and non-string values', () => {
    expect(producerContext(undefined)).toBeUndefined();
    expect(producerContext({})).toBeUndefined();
    expect(producerContext({ traceparent: 'not a trace' })).toBeUndefined();
    expect(producerContext({ traceparent: `01-${TRACE_ID}-${SPAN_ID}-01` })).toBeUndefined();
    expect(producerContext({ traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` })).toBeUndefined();
    expect(producerContext({ traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` })).toBeUndefined();
    // A legacy Application Insights request id, not W3C.
    expect(producerContext({ 'Diagnostic-Id': '|abc.1.' })).toBeUndefined();
    expect(producerContext({ traceparent: 42 })).toBeUndefined();
  });
});
