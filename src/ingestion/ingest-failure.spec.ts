import { describe, expect, it } from 'vitest';
import { classifyIngestFailure } from './ingest-failure.js';

function httpError(status: number, data: unknown): Error {
  return Object.assign(new Error(`Request failed with status code ${status}`), {
    response: { status, data },
  });
}

describe('classifyIngestFailure', () => {
  it('should treat a 400 with a Kusto error body as permanent and surface the engine message', () => {
    const error = httpError(400, {
      error: { code: 'BadRequest', message: 'bad', '@message': 'mapping m not found', '@permanent': true },
    });
    expect(classifyIngestFailure(error)).toEqual({
      kind: 'permanent',
      message: 'mapping m not found',
      status: 400,
    });
  });

  it('should treat a 4xx marked @permanent:false as transient', () => {
    const error = httpError(400, JSON.stringify({ error: { message: 'busy', '@permanent': false } }));
    expect(classifyIngestFailure(error)).toEqual({ kind: 'transient', message: 'busy', status: 400 });
  });

  it('should treat 5xx, 429 and throttling as transient', () => {
    expect(classifyIngestFailure(httpError(503, '')).kind).toBe('transient');
    expect(classifyIngestFailure(httpError(429, {})).kind).toBe('transient');
    expect(
      classifyIngestFailure(
        Object.assign(new Error('POST request failed with status 429'), { name: 'ThrottlingError' }),
      ),
    ).toEqual({
      kind: 'transient',
      message: 'POST request failed with status 429',
      status: 429,
    });
  });

  it('should treat connection failures and unknown errors as transient', () => {
    expect(
      classifyIngestFailure(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      ),
    ).toEqual({
      kind: 'transient',
      message: 'connect ECONNREFUSED 127.0.0.1:1',
    });
    expect(classifyIngestFailure(new Error('something odd')).kind).toBe('transient');
  });

  it('should look through wrapped errors', () => {
    const wrapped = Object.assign(new Error('outer'), {
      inner: httpError(400, { error: { message: 'bad row' } }),
    });
    expect(classifyIngestFailure(wrapped)).toEqual({ kind: 'permanent', message: 'bad row', status: 400 });
  });
});
