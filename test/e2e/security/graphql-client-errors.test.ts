import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { startRealGateway, type RealGateway } from './real-gateway.js';

interface GraphqlAnswer {
  status: number;
  body: { errors?: { message: string; locations?: unknown; extensions?: Record<string, unknown> }[] };
}

/** Client mistakes over real HTTP on the real gateway stack: each is a 400 with a stable code, never a 200. */
describe('GraphQL client mistakes', () => {
  let dir: string;
  let gateway: RealGateway;

  beforeAll(async () => {
    dir = await tempDir('graphql-client-errors');
    gateway = await startRealGateway(dir, {});
  });
  afterAll(async () => {
    await gateway?.close();
    await removeDir(dir);
  });

  const send = async (init: RequestInit, search = ''): Promise<GraphqlAnswer> => {
    const response = await fetch(`${gateway.url}/graphql${search}`, init);
    return { status: response.status, body: (await response.json()) as never };
  };
  const postJson = (body: unknown): Promise<GraphqlAnswer> =>
    send({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('should answer client mistakes with a 400 and a stable code, mutations and subscriptions included', async () => {
    const refused = (message: string, column = 1) => ({
      message,
      locations: [{ line: 1, column }],
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const mutation = await postJson({ query: 'mutation { __typename }' });
    expect(mutation.status).toBe(400);
    expect(mutation.body).toEqual({
      errors: [
        refused('The mutation operation is not supported by the schema: kqlgate serves queries only.'),
      ],
    });
    const subscription = await postJson({ query: 'subscription { __typename }' });
    expect(subscription.status).toBe(400);
    expect(subscription.body).toEqual({
      errors: [
        refused('Anonymous Subscription must not select an introspection top level field.', 16),
        refused(
          'The subscription operation is served over WebSocket (the graphql-ws protocol) at /graphql, not over HTTP.',
        ),
      ],
    });
    const overGet = await send(
      { headers: { 'apollo-require-preflight': 'true' } },
      `?query=${encodeURIComponent('mutation { __typename }')}`,
    );
    expect(overGet.status).toBe(400);
    expect(overGet.body.errors?.[0].extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });

    const cases: [unknown, string][] = [
      [{ query: 'query A { __typename }', operationName: 'B' }, 'OPERATION_RESOLUTION_FAILURE'],
      [{ query: 'query A { __typename } query B { __typename }' }, 'OPERATION_RESOLUTION_FAILURE'],
      [{ query: '{ __typename }', variables: '{"x":1}' }, 'BAD_REQUEST'],
      [
        { query: 'query($on: Boolean!) { __typename @include(if: $on) }', variables: { on: 'x' } },
        'BAD_USER_INPUT',
      ],
      [{ query: 'query($on: Boolean!) { __typename @include(if: $on) }' }, 'BAD_USER_INPUT'],
      [{ query: '{ __typename ' }, 'GRAPHQL_PARSE_FAILED'],
      [{ query: '{ NoSuchFunction }' }, 'GRAPHQL_VALIDATION_FAILED'],
      [{}, 'BAD_REQUEST'],
      [[{ query: '{ __typename }' }], 'BAD_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const answer = await postJson(body);
      expect([JSON.stringify(body), answer.status, answer.body.errors?.[0].extensions?.code]).toEqual([
        JSON.stringify(body),
        400,
        code,
      ]);
    }
  });
});
