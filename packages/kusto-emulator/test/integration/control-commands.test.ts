import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineHarness, kustoError, type EngineHarness } from './kusto-engine-harness.js';

function rowsOf(response: {
  primaryResults: Array<{ toJSON(): { data: unknown[] } }>;
}): Array<Record<string, unknown>> {
  return response.primaryResults[0].toJSON().data as Array<Record<string, unknown>>;
}

describe('KustoEngine control commands', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngineHarness();
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should create, merge, show and drop tables', async () => {
    await h.client.execute('analytics', '.create table Orders (OrderId:string, Amount:real, Ts:datetime)');
    await h.client.execute('analytics', '.create-merge table Orders (OrderId:string, Region:string)');
    const schema = rowsOf(await h.client.execute('analytics', '.show table Orders schema as json'));
    expect(JSON.parse(schema[0].Schema as string)).toEqual({
      Name: 'Orders',
      OrderedColumns: [
        { Name: 'OrderId', Type: 'System.String', CslType: 'string' },
        { Name: 'Amount', Type: 'System.Double', CslType: 'real' },
        { Name: 'Ts', Type: 'System.DateTime', CslType: 'datetime' },
        { Name: 'Region', Type: 'System.String', CslType: 'string' },
      ],
    });
    await h.client.execute('analytics', '.create table Tmp (a:long) with (docstring="scratch", folder="x")');
    const tables = rowsOf(await h.client.execute('analytics', '.show tables'));
    expect(tables.map((t) => [t.TableName, t.DatabaseName, t.Folder, t.DocString])).toEqual([
      ['Orders', 'analytics', '', ''],
      ['Tmp', 'analytics', 'x', 'scratch'],
    ]);
    await h.client.execute('analytics', '.drop table Tmp');
    expect(rowsOf(await h.client.execute('analytics', '.show tables')).map((t) => t.TableName)).toEqual([
      'Orders',
    ]);
  });

  it('should keep .create table idempotent for the same schema and reject a different one', async () => {
    await h.client.execute('analytics', '.create table Same (a:string)');
    await h.client.execute('analytics', '.create table Same (a:string)');
    const error = await kustoError(h.client.execute('analytics', '.create table Same (a:long)'));
    expect(error).toEqual({
      status: 400,
      code: 'General_BadRequest',
      type: 'Kusto.Data.Exceptions.SemanticException',
      message:
        "Table 'Same' already exists with a different schema (a:string); use .create-merge table or .alter table to change it.",
    });
  });

  it('should keep columns that differ only by case apart through create, alter and ingestion', async () => {
    const query = async (kql: string): Promise<unknown[][]> =>
      rowsOf(await h.client.execute('analytics', kql)).map((r) => Object.values(r));
    await h.client.execute('analytics', '.create table Twins (a:long, A:string)');
    await h.client.execute('analytics', '.ingest inline into table Twins <|\n1,one\n2,two');
    await h.client.execute('analytics', '.alter-merge table Twins (b:long, B:string)');
    await h.client.execute('analytics', '.set-or-append Twins <| print A = "three", b = 30, a = 3, B = "x"');
    expect(await query('Twins | project a, A, b, B | order by a asc')).toEqual([
      [1, 'one', null, ''],
      [2, 'two', null, ''],
      [3, 'three', 30, 'x'],
    ]);
    // Dropping `a` and adding a new `a` later must not hand it the old column's values.
    await h.client.execute('analytics', '.alter table Twins (A:string, B:string)');
    await h.client.execute('analytics', '.alter-merge table Twins (a:real)');
    expect(await query('Twins | project A, B, a | order by A asc')).toEqual([
      ['one', '', null],
      ['three', 'x', null],
      ['two', '', null],
    ]);
    await h.client.execute('analytics', '.drop table Twins');
    // A table created from a query's output gets the twins' storage names too.
    await h.client.execute('analytics', '.set-or-append TwinsFromQuery <| print a = 1, A = "one"');
    expect(await query('TwinsFromQuery | extend b = a + 1 | project A, b')).toEqual([['one', 2]]);
    await h.client.execute('analytics', '.drop table TwinsFromQuery');
  });

  it('should reject a table that declares one column name twice', async () => {
    const error = await kustoError(h.client.execute('analytics', '.create table Twice (a:long, a:string)'));
    expect(error.message).toContain("Table 'Twice' declares column 'a' more than once");
  });

  it('should create, show and drop functions with docstring and folder', async () => {
    await h.client.execute(
      'analytics',
      `.create-or-alter function with (docstring = "Top orders", folder = "Sales") TopOrders(n:long = 10, region:string) {
  Orders | where Region == region | top n by Amount
}`,
    );
    const fn = rowsOf(await h.client.execute('analytics', '.show function TopOrders'))[0];
    expect(fn).toEqual({
      Name: 'TopOrders',
      Parameters: '(n:long = 10, region:string)',
      Body: '{Orders | where Region == region | top n by Amount}',
      Folder: 'Sales',
      DocString: 'Top orders',
    });
    expect(rowsOf(await h.client.execute('analytics', '.show functions')).map((f) => f.Name)).toEqual([
      'TopOrders',
    ]);
    await h.client.execute('analytics', '.drop function TopOrders');
    expect(rowsOf(await h.client.execute('analytics', '.show functions'))).toEqual([]);
  });

  it('should store and show ingestion mappings', async () => {
    await h.client.execute(
      'analytics',
      `.create-or-alter table Orders ingestion json mapping "orders_json" '[{"column":"OrderId","Properties":{"Path":"$.id"}},{"column":"Amount","Properties":{"Path":"$.total.amount"}}]'`,
    );
    const mappings = rowsOf(await h.client.execute('analytics', '.show table Orders ingestion mappings'));
    expect(
      mappings.map((m) => [m.Name, m.Kind, JSON.parse(m.Mapping as string) as unknown, m.Database, m.Table]),
    ).toEqual([
      [
        'orders_json',
        'Json',
        [
          { column: 'OrderId', Properties: { Path: '$.id' } },
          { column: 'Amount', Properties: { Path: '$.total.amount' } },
        ],
        'analytics',
        'Orders',
      ],
    ]);
  });

  it('should answer .show version, .show cluster and .show databases', async () => {
    expect(rowsOf(await h.client.execute('analytics', '.show version'))[0].BuildVersion).toBe(
      '1.0.0-kqlgate',
    );
    expect(rowsOf(await h.client.execute('analytics', '.show cluster'))[0].Address).toBe('127.0.0.1');
    await h.client.execute('analytics', '.create database other ifnotexists');
    expect(rowsOf(await h.client.execute('analytics', '.show databases')).map((d) => d.DatabaseName)).toEqual(
      ['analytics', 'other'],
    );
  });

  it('should name line and column of a syntax error', async () => {
    const error = await kustoError(
      h.client.execute('analytics', '.create table Broken (a:string,\n  b long)'),
    );
    expect(error).toEqual({
      status: 400,
      code: 'General_BadRequest',
      type: 'Kusto.Data.Exceptions.SyntaxException',
      message: "Syntax error at 2:5: expected ':' and the type of column 'b', found 'long'.",
    });
  });

  it('should reject unknown column types, tables and commands with Kusto errors', async () => {
    expect((await kustoError(h.client.execute('analytics', '.create table T (a:varchar)'))).message).toBe(
      "Syntax error at 1:20: expected a scalar type (bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic), found 'varchar'.",
    );
    expect(await kustoError(h.client.execute('analytics', '.show table Nope schema as json'))).toEqual({
      status: 400,
      code: 'BadRequest_EntityNotFound',
      type: 'Kusto.Data.Exceptions.EntityNotFoundException',
      message: "Table 'Nope' was not found in database 'analytics'.",
    });
    expect((await kustoError(h.client.execute('analytics', '.purge table Orders records'))).message).toBe(
      "Control command '.purge' is not supported by the embedded engine (at 1:2).",
    );
    expect((await kustoError(h.client.execute('nodb', '.show tables'))).message).toBe(
      "Database 'nodb' was not found.",
    );
  });

  it('should reject a mapping that names a missing column and leave the mappings unchanged', async () => {
    const error = await kustoError(
      h.client.execute(
        'analytics',
        `.create table Orders ingestion json mapping "bad" '[{"column":"Nope","Properties":{"Path":"$.x"}}]'`,
      ),
    );
    expect(error.message).toBe(
      "Ingestion mapping 'bad' is invalid: column 'Nope' (element 0) does not exist in table 'Orders'.",
    );
    const mappings = rowsOf(await h.client.execute('analytics', '.show table Orders ingestion mappings'));
    expect(mappings.map((m) => m.Name)).toEqual(['orders_json']);
  });
});
