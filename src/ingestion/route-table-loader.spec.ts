import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionError } from './ingestion-error.js';
import { loadRouteTable, parseRouteTable } from './route-table-loader.js';

describe('loadRouteTable', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kqlgate-routes-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should read a YAML routes file', async () => {
    const path = join(dir, 'routes.yaml');
    await writeFile(
      path,
      'property: eventType\nroutes:\n  OrderPlaced: { table: Orders, mapping: orders_json }\nfallback: { table: Raw, format: MultiJson }\n',
    );
    expect(loadRouteTable(path)).toEqual({
      property: 'eventType',
      routes: { OrderPlaced: { table: 'Orders', mapping: 'orders_json' } },
      fallback: { table: 'Raw', format: 'multijson' },
    });
  });

  it('should name the file when it cannot be read', () => {
    const path = join(dir, 'missing.yaml');
    expect(() => loadRouteTable(path)).toThrow(
      `INGEST_ROUTES_FILE=${JSON.stringify(path)}: cannot read the routes file (ENOENT: no such file or directory, open '${path}')`,
    );
  });

  it('should report every problem at once', () => {
    let error: unknown;
    try {
      parseRouteTable(
        { routes: { A: { mapping: 'm' }, B: { table: 'T', format: 'xml' } }, extra: 1 },
        'r.yaml',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IngestionError);
    expect((error as Error).message).toBe(
      'INGEST_ROUTES_FILE="r.yaml": routes.A.table must be a table name; routes.B.format must be one of json, multijson, csv; unknown key "extra" (known: property, format, routes, fallback)',
    );
  });

  it('should read the repository route table (kql/ingestion-routes.json)', () => {
    const table = loadRouteTable(join(import.meta.dirname, '..', '..', 'kql', 'ingestion-routes.json'));
    expect(table.property).toBe('eventType');
    expect(table.routes['payment.authorized']).toEqual({
      table: 'RawPaymentEvents',
      mapping: 'RawPaymentEvents_json',
      format: 'json',
    });
  });

  it('should refuse table and mapping names that are not Kusto entity names', () => {
    expect(() =>
      parseRouteTable(
        { routes: { A: { table: 'Fault#Events' }, B: { table: 'T', mapping: 'm?x=1' } } },
        'r.yaml',
      ),
    ).toThrow(
      'INGEST_ROUTES_FILE="r.yaml": routes.A.table "Fault#Events" is not a Kusto table name: \'#\' is not allowed ' +
        "(1 to 1024 letters, digits, '_', ' ', '.' or '-', not starting or ending with '__'); " +
        'routes.B.mapping "m?x=1" is not a Kusto mapping name: \'?\' is not allowed ' +
        "(1 to 1024 letters, digits, '_', ' ', '.' or '-', not starting or ending with '__')",
    );
  });

  it('should read a route that opts into at-least-once delivery, and refuse other delivery values and keys', () => {
    expect(
      parseRouteTable({ routes: { A: { table: 'Audit', delivery: 'at-least-once' } } }, 'r.json').routes.A,
    ).toEqual({ table: 'Audit', delivery: 'at-least-once' });
    expect(() =>
      parseRouteTable(
        { routes: { A: { table: 'Audit', delivery: 'at-most-once' }, B: { table: 'T', mode: 'x' } } },
        'r.json',
      ),
    ).toThrow(
      'INGEST_ROUTES_FILE="r.json": routes.A.delivery "at-most-once" must be one of "exactly-once", ' +
        '"at-least-once"; routes.B: unknown key "mode" (known: table, format, mapping, delivery)',
    );
  });

  it('should default the routing property to eventType', () => {
    expect(parseRouteTable({ routes: {} }, 'r.json')).toEqual({ property: 'eventType', routes: {} });
  });
});
