import { describe, expect, it } from 'vitest';
import { apolloHeaders } from './apollo-request-headers.js';

describe('apolloHeaders', () => {
  it('should pass only the headers Apollo reads, joining repeated ones', () => {
    const map = apolloHeaders({
      authorization: 'Bearer secret',
      cookie: 'a=b',
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      'apollo-require-preflight': 'true',
      'x-apollo-operation-name': ['A', 'B'],
    });
    expect([...map]).toEqual([
      ['content-type', 'application/json'],
      ['accept', 'application/graphql-response+json, application/json'],
      ['apollo-require-preflight', 'true'],
      ['x-apollo-operation-name', 'A, B'],
    ]);
  });

  it('should drop an Accept that negotiates to plain JSON anyway', () => {
    expect([...apolloHeaders({ accept: '*/*' })]).toEqual([]);
    expect([...apolloHeaders({ accept: 'application/json' })]).toEqual([]);
  });
});
