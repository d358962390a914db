import { cp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionCatalogService } from '../../../src/modules/catalog/function-catalog.service.js';
import { documentHash } from '../../../src/modules/graphql/trusted-document.registry.js';
import {
  redisUnavailableReason,
  startRedis,
  type RunningRedis,
} from '../../integration/cache/redis-server.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/** A function whose output column a reload renames, so that a registered operation stops validating. */
const probe = (
  column: string,
) => `// Trusted-documents probe: one row whose column name changes between versions.
// @expose anonymous
.create-or-alter function with (docstring = 'Trusted documents probe', folder = 'test')
TrustedProbe(n: long = 1) {
    range i from 1 to n step 1
    | project ${column} = i
}
`;

const redisUnavailable = redisUnavailableReason();
if (redisUnavailable) {
  console.warn(`SKIPPED the shared-APQ part of graphql-trusted-documents.test.ts: ${redisUnavailable}`);
}

const REGISTERED = 'query Registered { TrustedProbe { Value } }';
const RENAMED = 'query Renamed { TrustedProbe(n: 2) { Renamed } }';
const UNREGISTERED = '{ TrustedProbe(n: 3) { Value } }';

const NOT_TRUSTED = {
  status: 400,
  body: {
    errors: [
      {
        message:
          "this gateway serves only trusted GraphQL documents and this one is not registered: add the operation to the front-end's .graphql files, run `kqlgate graphql extract <dir> --out <file>` and point GRAPHQL_TRUSTED_DOCUMENTS at that file (or send the sha256Hash of a registered document)",
        extensions: { code: 'PERSISTED_QUERY_NOT_TRUSTED' },
      },
    ],
  },
};

const PERSISTED_QUERY_NOT_FOUND = {
  status: 200,
  body: {
    errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
  },
};

interface GraphqlRequest {
  query?: string;
  hash?: string;
}

async function post(instance: KqlgateInstance, { query, hash }: GraphqlRequest) {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(query !== undefined && { query }),
      ...(hash !== undefined && { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function kqlWithProbe(dir: string): Promise<string> {
  const kqlDir = join(dir, 'kql');
  await cp(resolve(import.meta.dirname, '../../../kql'), kqlDir, { recursive: true });
  await writeFile(join(kqlDir, 'functions', 'TrustedProbe.kql'), probe('Value'));
  return kqlDir;
}

/**
 * GRAPHQL_TRUSTED_DOCUMENTS over real HTTP against the whole runtime: registered documents are answered by text
 * or by hash alone, anything else is refused with PERSISTED_QUERY_NOT_TRUSTED, a registered operation that no
 * longer validates after a catalog reload is not served, and with trusted-only off automatic persisted queries
 * register what clients send.
 */
describe('GraphQL trusted documents', () => {
  let dir: string;
  let kqlDir: string;

  beforeAll(async () => {
    dir = await tempDir('graphql-trusted-documents');
    kqlDir = await kqlWithProbe(dir);
    await writeFile(
      join(dir, 'trusted.json'),
      JSON.stringify({ [documentHash(REGISTERED)]: REGISTERED, [documentHash(RENAMED)]: RENAMED }),
    );
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  describe('with GRAPHQL_TRUSTED_DOCUMENTS_ONLY=true', () => {
    let instance: KqlgateInstance;

    beforeAll(async () => {
      instance = await startKqlgateInstance({
        KQL_DIR: kqlDir,
        GRAPHQL_TRUSTED_DOCUMENTS: join(dir, 'trusted.json'),
        GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'true',
      });
    });
    afterAll(async () => {
      await instance?.stop();
    });

    it('should answer a registered document sent as text', async () => {
      expect(await post(instance, { query: REGISTERED })).toMatchObject({
        status: 200,
        body: { data: { TrustedProbe: [{ Value: 1 }] } },
      });
    });

    it('should answer a registered document sent by its hash alone', async () => {
      expect(await post(instance, { hash: documentHash(REGISTERED) })).toMatchObject({
        status: 200,
        body: { data: { TrustedProbe: [{ Value: 1 }] } },
      });
    });

    it('should refuse a document that is not registered', async () => {
      expect(await post(instance, { query: UNREGISTERED })).toEqual(NOT_TRUSTED);
    });

    it('should refuse to register a new document through automatic persisted queries', async () => {
      const hash = documentHash(UNREGISTERED);
      expect(await post(instance, { hash })).toEqual(PERSISTED_QUERY_NOT_FOUND);
      expect(await post(instance, { hash, query: UNREGISTERED })).toEqual(NOT_TRUSTED);
      expect(await post(instance, { hash })).toEqual(PERSISTED_QUERY_NOT_FOUND);
    });

    it('should leave introspection to the introspection policy', async () => {
      expect(await post(instance, { query: '{ __schema { queryType { name } } }' })).toMatchObject({
        status: 200,
        body: { data: { __schema: { queryType: { name: 'Query' } } } },
      });
    });

    it('should stop serving a registered operation that no longer validates after a reload', async () => {
      // Before the reload `Renamed` does not exist: the operation is not served, by text nor by hash.
      expect(await post(instance, { query: RENAMED })).toEqual(NOT_TRUSTED);
      expect(await post(instance, { hash: documentHash(RENAMED) })).toEqual(PERSISTED_QUERY_NOT_FOUND);

      await writeFile(join(kqlDir, 'functions', 'TrustedProbe.kql'), probe('Renamed'));
      expect((await instance.app.get(FunctionCatalogService).reload()).swapped).toBe(true);

      expect(await post(instance, { hash: documentHash(RENAMED) })).toMatchObject({
        status: 200,
        body: { data: { TrustedProbe: [{ Renamed: 1 }, { Renamed: 2 }] } },
      });
      expect(await post(instance, { query: REGISTERED })).toEqual(NOT_TRUSTED);
      expect(await post(instance, { hash: documentHash(REGISTERED) })).toEqual(PERSISTED_QUERY_NOT_FOUND);
    });
  });

  describe('with GRAPHQL_TRUSTED_DOCUMENTS_ONLY=false', () => {
    let instance: KqlgateInstance;

    beforeAll(async () => {
      await writeFile(join(kqlDir, 'functions', 'TrustedProbe.kql'), probe('Value'));
      instance = await startKqlgateInstance({
        KQL_DIR: kqlDir,
        GRAPHQL_TRUSTED_DOCUMENTS: join(dir, 'trusted.json'),
        GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'false',
      });
    });
    afterAll(async () => {
      await instance?.stop();
    });

    it('should answer a registered document by its hash and any other document by text', async () => {
      expect(await post(instance, { hash: documentHash(REGISTERED) })).toMatchObject({
        status: 200,
        body: { data: { TrustedProbe: [{ Value: 1 }] } },
      });
      expect(await post(instance, { query: UNREGISTERED })).toMatchObject({
        status: 200,
        body: { data: { TrustedProbe: [{ Value: 1 }, { Value: 2 }, { Value: 3 }] } },
      });
    });

    it('should register a document through an automatic persisted query round trip', async () => {
      const query = '{ apq: TrustedProbe(n: 2) { Value } }';
      const hash = documentHash(query);
      expect(await post(instance, { hash })).toEqual(PERSISTED_QUERY_NOT_FOUND);
      expect(await post(instance, { hash, query })).toMatchObject({
        status: 200,
        body: { data: { apq: [{ Value: 1 }, { Value: 2 }] } },
      });
      expect(await post(instance, { hash })).toMatchObject({
        status: 200,
        body: { data: { apq: [{ Value: 1 }, { Value: 2 }] } },
      });
    });
  });
  describe.skipIf(redisUnavailable !== undefined)('with REDIS_URL', () => {
    let redis: RunningRedis;
    let replicas: KqlgateInstance[] = [];

    beforeAll(async () => {
      redis = await startRedis();
      replicas = [
        await startKqlgateInstance({ KQL_DIR: kqlDir, REDIS_URL: redis.url }),
        await startKqlgateInstance({ KQL_DIR: kqlDir, REDIS_URL: redis.url }),
      ];
    });
    afterAll(async () => {
      await Promise.all(replicas.map((replica) => replica.stop()));
      await redis?.stop();
    });

    it('should find on one replica the automatic persisted query registered through another', async () => {
      const [first, second] = replicas;
      const query = '{ shared: TrustedProbe(n: 1) { Value } }';
      const hash = documentHash(query);
      expect(await post(second, { hash })).toEqual(PERSISTED_QUERY_NOT_FOUND);
      expect(await post(first, { hash, query })).toMatchObject({
        status: 200,
        body: { data: { shared: [{ Value: 1 }] } },
      });
      expect(await post(second, { hash })).toMatchObject({
        status: 200,
        body: { data: { shared: [{ Value: 1 }] } },
      });
    });

    it('should answer a hash as not found while Redis is away, and serve the re-sent text', async () => {
      const [first] = replicas;
      const query = '{ away: TrustedProbe(n: 1) { Value } }';
      const hash = documentHash(query);
      await redis.kill();

      expect(await post(first, { hash })).toEqual(PERSISTED_QUERY_NOT_FOUND);
      expect(await post(first, { hash, query })).toMatchObject({
        status: 200,
        body: { data: { away: [{ Value: 1 }] } },
      });
    });
  });
});
