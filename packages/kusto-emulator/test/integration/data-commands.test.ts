import { DataFormat } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ingestProps,
  jsonLines,
  kustoError,
  startEngineHarness,
  type EngineHarness,
} from './kusto-engine-harness.js';

describe('KustoEngine data commands', () => {
  let h: EngineHarness;

  async function rows(query: string): Promise<unknown[]> {
    return (await h.client.execute('analytics', query)).primaryResults[0].toJSON().data;
  }

  beforeAll(async () => {
    h = await startEngineHarness();
    await h.client.execute('analytics', '.create table Sales (Region:string, Amount:long)');
    await h.client.execute('analytics', '.ingest inline into table Sales <|\nnorth,10\nsouth,20\nnorth,5');
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should create a table from a query with .set-or-append and append on the next call', async () => {
    const query = 'Sales | summarize Total = sum(Amount) by Region';
    const first = await h.client.execute('analytics', `.set-or-append Totals <| ${query}`);
    expect((first.primaryResults[0].toJSON().data[0] as { RowCount: number }).RowCount).toBe(2);
    await h.client.execute('analytics', `.set-or-append Totals <| ${query}`);
    expect(await rows('Totals | order by Region asc, Total asc')).toEqual([
      { Region: 'north', Total: 15 },
      { Region: 'north', Total: 15 },
      { Region: 'south', Total: 20 },
      { Region: 'south', Total: 20 },
    ]);
    expect(await rows('.show table Totals cslschema')).toEqual([
      {
        TableName: 'Totals',
        Schema: 'Region:string,Total:long',
        DatabaseName: 'analytics',
        Folder: '',
        DocString: '',
      },
    ]);
  });

  it('should refuse .set into an existing table and .append into a missing one', async () => {
    expect((await kustoError(h.client.execute('analytics', '.set Sales <| Sales | take 1'))).message).toBe(
      "Table 'Sales' already exists.",
    );
    expect(
      (await kustoError(h.client.execute('analytics', '.append Missing <| Sales | take 1'))).message,
    ).toBe("Table 'Missing' was not found in database 'analytics'.");
  });

  it('should append a query that reads the target table itself', async () => {
    await h.client.execute(
      'analytics',
      ".append Sales <| Sales | where Region == 'south' | extend Amount = Amount * 10",
    );
    expect(await rows("Sales | where Region == 'south' | order by Amount asc | project Amount")).toEqual([
      { Amount: 20 },
      { Amount: 200 },
    ]);
  });

  it('should reject query columns the target table does not have', async () => {
    const error = await kustoError(
      h.client.execute('analytics', '.append Sales <| print Region = "x", Extra = 1'),
    );
    expect(error.message).toBe(
      "Query output column(s) 'Extra' do not exist in table 'Sales' (columns: Region, Amount).",
    );
  });

  it('should ingest inline JSON through a mapping reference', async () => {
    await h.client.execute('analytics', '.create table Inline (Name:string, N:long)');
    await h.client.execute(
      'analytics',
      `.create table Inline ingestion json mapping "m" '[{"column":"Name","Properties":{"Path":"$.name"}},{"column":"N","Properties":{"Path":"$.n"}}]'`,
    );
    await h.client.execute(
      'analytics',
      `.ingest inline into table Inline with (format='multijson', ingestionMappingReference='m') <| [{"name":"a","n":1},{"name":"b","n":"2"}]`,
    );
    expect(await rows('Inline | order by Name asc')).toEqual([
      { Name: 'a', N: 1 },
      { Name: 'b', N: 2 },
    ]);
  });

  it('should clear table data and forget its extent tags', async () => {
    await h.client.execute('analytics', '.create table Tagged (v:long)');
    const command = `.ingest inline into table Tagged with (ingestIfNotExists='["t1"]', tags='["ingest-by:t1"]') <| 1`;
    await h.client.execute('analytics', command);
    await h.client.execute('analytics', '.clear table Tagged data');
    expect(await rows('Tagged | count')).toEqual([{ Count: 0 }]);
    await h.client.execute('analytics', command);
    expect(await rows('Tagged | count')).toEqual([{ Count: 1 }]);
  });

  it('should keep the ingestion when a non-transactional update policy fails and report the failure', async () => {
    await h.client.execute('analytics', '.create table Src (a:string, n:long)');
    await h.client.execute('analytics', '.create table Dst (a:string, doubled:long)');
    await h.client.execute(
      'analytics',
      `.alter table Dst policy update @'[{"Source": "Src", "Query": "Src | project a, doubled = n * 2", "IsTransactional": false}]'`,
    );
    await h.client.execute('analytics', '.alter table Src (a:string)');
    const result = (await h.ingest.ingestFromStream(
      jsonLines([{ a: 'x' }]),
      ingestProps('Src', DataFormat.JSON),
    )) as {
      Tables: Array<{ Rows: unknown[][] }>;
    };
    const [consumed, status, code, reason] = result.Tables[0].Rows[0];
    expect([consumed, status, code]).toEqual([1, 'Failed', 'Failed']);
    expect(reason).toMatch(/^Update policy of table 'Dst' \(source 'Src'\) failed: /);
    expect(await rows('Src')).toEqual([{ a: 'x' }]);
    expect(await rows('Dst | count')).toEqual([{ Count: 0 }]);
  });

  it('should reject an update policy whose query does not compile', async () => {
    const error = await kustoError(
      h.client.execute(
        'analytics',
        `.alter table Dst policy update @'[{"Source": "Src", "Query": "Src | whre a == 1", "IsTransactional": true}]'`,
      ),
    );
    expect(error.status).toBe(400);
    expect(error.type).toBe('Kusto.Data.Exceptions.SyntaxException');
    const policy = (await rows('.show table Dst policy update'))[0] as { Policy: string };
    expect((JSON.parse(policy.Policy) as Array<{ Query: string }>)[0].Query).toBe(
      'Src | project a, doubled = n * 2',
    );
  });
});
