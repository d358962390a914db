import { cp, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionCatalogService } from '../../../src/modules/catalog/function-catalog.service.js';
import type { KustoQueryClient } from '../../../src/modules/query/kusto-query.client.js';
import { KUSTO_QUERY_CLIENT } from '../../../src/modules/query/query.tokens.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';

/** A function whose output column the reload renames: `Old` before, `New` after. */
const probe = (column: string) => `// Hot-reload probe: one row whose column name changes between versions.
// @expose anonymous
.create-or-alter function with (docstring = 'Hot reload probe', folder = 'test')
HotReloadProbe(n: long = 1) {
    range i from 1 to n step 1
    | project ${column} = i
}
`;

/**
 * A catalog reload swaps the GraphQL schema atomically on a running instance (the whole runtime, real HTTP):
 * an operation already running when the reload lands finishes on the schema it was validated against, while
 * the requests that arrive after it see only the new schema. The running operation is held right after the
 * engine answered it, so nothing here depends on timing.
 */
describe('GraphQL schema hot reload', () => {
  let dir: string;
  let kqlDir: string;
  let instance: KqlgateInstance;

  beforeAll(async () => {
    dir = await tempDir('graphql-hot-reload');
    kqlDir = join(dir, 'kql');
    await cp(resolve(import.meta.dirname, '../../../kql'), kqlDir, { recursive: true });
    await writeFile(join(kqlDir, 'functions', 'HotReloadProbe.kql'), probe('Old'));
    instance = await startKqlgateInstance({ KQL_DIR: kqlDir });
  });
  afterAll(async () => {
    await instance?.stop();
    await removeDir(dir);
  });

  const graphql = async (query: string) => {
    const response = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('should finish an in-flight operation on the old schema while new requests get the new one', async () => {
    expect(await graphql('{ HotReloadProbe { Old } }')).toMatchObject({
      status: 200,
      body: { data: { HotReloadProbe: [{ Old: 1 }] } },
    });

    // Hold the next probe call once the engine has answered it.
    const kusto = instance.app.get<KustoQueryClient>(KUSTO_QUERY_CLIENT);
    const query = kusto.query.bind(kusto);
    let entered!: () => void;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (entered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    kusto.query = async (csl, options) => {
      const result = await query(csl, options);
      if (csl.includes('HotReloadProbe')) {
        kusto.query = query;
        entered();
        await released;
      }
      return result;
    };
    // Other arguments than the first call's, so that the result cache cannot answer it.
    const inFlight = graphql('{ HotReloadProbe(n: 2) { Old } again: HotReloadProbe(n: 2) { Old } }');
    // Reported by the last assertion; a failure before it would otherwise surface as an unhandled rejection.
    inFlight.catch(() => undefined);
    await held;

    await writeFile(join(kqlDir, 'functions', 'HotReloadProbe.kql'), probe('New'));
    const outcome = await instance.app.get(FunctionCatalogService).reload();
    expect(outcome.swapped).toBe(true);

    // The reload did not wait for the operation in flight; requests arriving now see only the new schema.
    expect(await graphql('{ HotReloadProbe { Old } }')).toMatchObject({
      status: 400,
      body: {
        errors: [
          {
            message: 'Cannot query field "Old" on type "HotReloadProbeRow".',
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      },
    });
    expect(await graphql('{ HotReloadProbe { New } }')).toMatchObject({
      status: 200,
      body: { data: { HotReloadProbe: [{ New: 1 }] } },
    });

    release();
    expect(await inFlight).toEqual({
      status: 200,
      body: {
        data: { HotReloadProbe: [{ Old: 1 }, { Old: 2 }], again: [{ Old: 1 }, { Old: 2 }] },
        extensions: expect.anything() as unknown,
      },
    });
  });
});
