import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startCountingGateway, type CountingGateway } from './real-gateway.js';

interface GraphqlAnswer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; locations?: unknown; extensions?: Record<string, unknown> }[];
  };
}

/** The selection of a full introspection query, written out: what an attacker repeats under aliases. */
const FULL_SCHEMA_SELECTION =
  '__schema { description types { name kind description fields(includeDeprecated: true) { name description args { name description type { kind name ofType { kind name ofType { kind name } } } defaultValue } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } isDeprecated deprecationReason } inputFields(includeDeprecated: true) { name description type { kind name ofType { kind name ofType { kind name } } } defaultValue isDeprecated deprecationReason } interfaces { kind name ofType { kind name } } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { kind name ofType { kind name } } specifiedByURL } queryType { name } mutationType { name } subscriptionType { name } directives { name description isRepeatable locations args { name description type { kind name ofType { kind name ofType { kind name } } } defaultValue } } }';

const aliases = (count: number, selection: string): string =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(' ')} }`;

/**
 * The GraphQL limits over real HTTP on the real gateway stack (auth module, real JWTs): what an anonymous
 * caller can make the gateway do, and the error classes of client mistakes.
 */
describe('GraphQL limits against anonymous amplification', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let production: CountingGateway;
  let tight: CountingGateway;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('graphql-limits');
    const auth = { JWKS_URI: issuer.jwksUri, JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience };
    // Production defaults, except that any document is served: these are the limits of documents the gateway
    // accepts (graphql-trusted-documents.test.ts covers the production default of trusted documents only).
    production = await startCountingGateway(dir, {
      ...auth,
      NODE_ENV: 'production',
      GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'false',
    });
    tight = await startCountingGateway(
      await tempDir('graphql-limits-tight'),
      { ...auth, GRAPHQL_INTROSPECTION: 'off', GRAPHQL_MAX_RESPONSE_BYTES: '2048', GRAPHQL_MAX_FIELDS: '20' },
      { engine: production.engine },
    );
    await ingestInline(
      production,
      'Orders',
      Array.from({ length: 60 }, (_, i) => `A,a-${String(i).padStart(3, '0')},${i}`),
    );
  });
  afterAll(async () => {
    await tight?.close();
    await production?.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  const bearer = async (): Promise<Record<string, string>> => ({
    authorization: `Bearer ${await issuer.token({ sub: 'analyst-1', roles: ['analyst'], claims: { tid: 'A' } })}`,
  });

  const post = async (
    gateway: CountingGateway,
    query: string,
    headers: Record<string, string> = {},
  ): Promise<GraphqlAnswer> => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as never };
  };

  it('should refuse a 1,000-alias anonymous introspection document before doing its work', async () => {
    const document = aliases(1_000, FULL_SCHEMA_SELECTION);
    expect(document.length).toBeGreaterThan(900_000); // the size of the document seen in the review: 968 KiB
    await post(production, '{ __typename }'); // warm up the server's first request

    const rssBefore = process.memoryUsage.rss();
    const started = performance.now();
    const answer = await post(production, document);
    const elapsedMs = performance.now() - started;
    const rssDeltaBytes = process.memoryUsage.rss() - rssBefore;

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        {
          message:
            'query is longer than the limit of 5000 tokens (names, punctuation and values); parsing stopped at the first token over it',
          locations: [{ line: 1, column: 27_432 }],
          extensions: { code: 'QUERY_TOKEN_LIMIT_EXCEEDED', maxTokens: 5_000 },
        },
      ],
    });
    // Sanity bounds only (the same document took 17 s and 1.9 GB before the limits).
    expect(elapsedMs).toBeLessThan(1_000);
    expect(rssDeltaBytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('should count aliases per document, introspection fields included', async () => {
    const answer = await post(production, aliases(60, '__type(name: "Query") { name }'));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        {
          message:
            'query has 60 aliases, more than the limit of 50 (a fragment counts each time it is spread)',
          extensions: { code: 'QUERY_ALIAS_LIMIT_EXCEEDED', aliases: 60, maxAliases: 50 },
        },
      ],
    });
  });

  it('should count every field a fragment brings each time it is spread', async () => {
    // F10 spreads F9 twice, which spreads F8 twice… down to F0 { __typename }: 1,024 fields.
    const fragments = Array.from(
      { length: 10 },
      (_, i) => `fragment F${i + 1} on Query { ...F${i} ... on Query { ...F${i} } }`,
    ).join(' ');
    const answer = await post(production, `{ ...F10 } ${fragments} fragment F0 on Query { __typename }`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        {
          message:
            'query selects 1024 fields, more than the limit of 1000 (a fragment counts each time it is spread; split the query or select fewer fields)',
          extensions: { code: 'QUERY_FIELD_LIMIT_EXCEEDED', fields: 1_024, maxFields: 1_000 },
        },
      ],
    });
  });

  it('should refuse repeated fields before validation compares them pairwise', async () => {
    const started = performance.now();
    const answer = await post(production, `{ ${'PublicOrderCount { Orders } '.repeat(500)}}`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      errors: [
        {
          message:
            'query selects 499 fields under a response name already selected in the same selection set, more than the limit of 50 (select each field once)',
          extensions: {
            code: 'QUERY_REPEATED_FIELD_LIMIT_EXCEEDED',
            repeatedFields: 499,
            maxRepeatedFields: 50,
          },
        },
      ],
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('should keep introspection for callers with credentials in production', async () => {
    const anonymous = await post(production, getIntrospectionQuery());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="kqlgate", ApiKey realm="kqlgate"');
    expect(anonymous.body).toEqual({
      errors: [
        {
          message: 'GraphQL introspection needs credentials: send a bearer token or an API key',
          extensions: { code: 'AUTH_UNAUTHENTICATED' },
        },
      ],
    });
    // __typename is not introspection, and anonymous functions stay anonymous.
    expect(await post(production, '{ __typename PublicOrderCount { Orders } }')).toMatchObject({
      status: 200,
      body: { data: { __typename: 'Query', PublicOrderCount: [{ Orders: 60 }] } },
    });
    const authenticated = await post(production, getIntrospectionQuery(), await bearer());
    expect(authenticated.status).toBe(200);
    expect(authenticated.body.errors).toBeUndefined();
  });

  it('should refuse introspection to everyone with GRAPHQL_INTROSPECTION=off', async () => {
    const answer = await post(tight, '{ __schema { queryType { name } } }', await bearer());
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      errors: [
        {
          message: 'GraphQL introspection is turned off on this gateway',
          extensions: { code: 'GRAPHQL_INTROSPECTION_DISABLED' },
        },
      ],
    });
  });

  it('should refuse an answer larger than GRAPHQL_MAX_RESPONSE_BYTES instead of sending it', async () => {
    const headers = await bearer();
    const small = await post(tight, '{ TenantOrderList(minAmount: 55) { OrderId } }', headers);
    expect(small).toMatchObject({
      status: 200,
      body: { data: { TenantOrderList: expect.any(Array) as unknown } },
    });

    const large = await post(tight, '{ TenantOrderList { OrderId TenantId TotalAmount } }', headers);
    expect(large.status).toBe(400);
    expect(large.body.data).toBeUndefined();
    expect(large.body.errors).toEqual([
      {
        message:
          'the response data would be larger than the limit of 2048 bytes (select fewer fields, ask for fewer rows or split the query)',
        extensions: { code: 'RESPONSE_TOO_LARGE', maxResponseBytes: 2_048 },
      },
    ]);
    const tooWide = await post(tight, aliases(21, '__typename'));
    expect(tooWide.status).toBe(400);
    expect(tooWide.body.errors).toEqual([
      {
        message:
          'query selects 21 fields, more than the limit of 20 (a fragment counts each time it is spread; split the query or select fewer fields)',
        extensions: { code: 'QUERY_FIELD_LIMIT_EXCEEDED', fields: 21, maxFields: 20 },
      },
    ]);
  });
});
