/**
 * The management commands real clients send while setting tables up for ingestion (the Kusto SDKs' own end-to-end
 * tests, the Spark connector): policies, schema-cache and policy-cache refreshes, piped `.show` output and export
 * containers, each through the real azure-kusto-data client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kustoError, startEngineHarness, type EngineHarness } from './kusto-engine-harness.js';

type Row = Record<string, unknown>;

function rowsOf(response: { primaryResults: Array<{ toJSON(): { data: unknown[] } }> }): Row[] {
  return response.primaryResults[0].toJSON().data as Row[];
}

const BATCHING =
  '{"MaximumBatchingTimeSpan":"00:00:10","MaximumNumberOfItems":500,"MaximumRawDataSizeMB":1024}';

describe('KustoEngine management surface', () => {
  let h: EngineHarness;
  const mgmt = async (command: string): Promise<Row[]> =>
    rowsOf(await h.client.execute('analytics', command));

  beforeAll(async () => {
    h = await startEngineHarness();
    await h.client.execute('analytics', '.create table Events (Id:string, Value:long)');
    await h.client.execute('analytics', '.create table Other (Id:string)');
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should enable and disable streaming ingestion on a table and show the policy', async () => {
    expect(await mgmt('.show table Events policy streamingingestion')).toEqual([
      {
        PolicyName: 'StreamingIngestionPolicy',
        EntityName: '[analytics].[Events]',
        Policy: 'null',
        ChildEntities: '',
        EntityType: 'Table',
      },
    ]);
    expect(await mgmt('.alter table Events policy streamingingestion enable')).toEqual([
      {
        PolicyName: 'StreamingIngestionPolicy',
        EntityName: '[analytics].[Events]',
        Policy: '{"IsEnabled":true,"HintAllocatedRate":null}',
        ChildEntities: '',
        EntityType: 'Table',
      },
    ]);
    await h.client.execute('analytics', '.alter table Events policy streamingingestion disable');
    expect((await mgmt('.show table Events policy streamingingestion'))[0].Policy).toBe(
      '{"IsEnabled":false,"HintAllocatedRate":null}',
    );
  });

  it('should alter, merge, show and delete ingestion batching policies of tables and databases, kept across restarts', async () => {
    await h.client.execute('analytics', `.alter table Events policy ingestionbatching @'${BATCHING}'`);
    await h.client.execute(
      'analytics',
      `.alter database analytics policy ingestionbatching @"{""MaximumBatchingTimeSpan"":""00:05:00""}"`,
    );
    await h.client.execute(
      'analytics',
      `.alter-merge table analytics.Events policy ingestionbatching '{"MaximumNumberOfItems": 20}'`,
    );
    await h.restart();
    expect(await mgmt('.show table Events policy ingestionbatching')).toEqual([
      {
        PolicyName: 'IngestionBatchingPolicy',
        EntityName: '[analytics].[Events]',
        Policy:
          '{"MaximumBatchingTimeSpan":"00:00:10","MaximumNumberOfItems":20,"MaximumRawDataSizeMB":1024}',
        ChildEntities: '',
        EntityType: 'Table',
      },
    ]);
    expect(await mgmt('.show database analytics policy ingestionbatching')).toEqual([
      {
        PolicyName: 'IngestionBatchingPolicy',
        EntityName: '[analytics]',
        Policy: '{"MaximumBatchingTimeSpan":"00:05:00"}',
        ChildEntities: '["Events","Other"]',
        EntityType: 'Database',
      },
    ]);
    await h.client.execute('analytics', '.delete table Events policy ingestionbatching');
    expect((await mgmt('.show table Events policy ingestionbatching'))[0].Policy).toBe('null');
  });

  it('should refuse a batching policy with an unknown property or a bad value, naming it', async () => {
    expect(
      (
        await kustoError(
          h.client.execute('analytics', `.alter table Events policy ingestionbatching '{"MaxItems": 5}'`),
        )
      ).message,
    ).toBe(
      "The ingestionbatching policy of table 'Events' has an unknown property 'MaxItems'; it takes MaximumBatchingTimeSpan, MaximumNumberOfItems, MaximumRawDataSizeMB.",
    );
    expect(
      (
        await kustoError(
          h.client.execute(
            'analytics',
            `.alter table Events policy ingestionbatching '{"MaximumBatchingTimeSpan": "soon"}'`,
          ),
        )
      ).message,
    ).toBe(
      'The ingestionbatching policy of table \'Events\' has an invalid MaximumBatchingTimeSpan: "soon".',
    );
  });

  it('should show retention and the other common policies of databases and tables', async () => {
    expect(await mgmt('.show database analytics policy retention')).toEqual([
      {
        PolicyName: 'RetentionPolicy',
        EntityName: '[analytics]',
        Policy: 'null',
        ChildEntities: '["Events","Other"]',
        EntityType: 'Database',
      },
    ]);
    await h.client.execute(
      'analytics',
      `.alter table Other policy retention '{"SoftDeletePeriod": "10.00:00:00", "Recoverability": "Disabled"}'`,
    );
    expect((await mgmt('.show table Other policy retention'))[0].Policy).toBe(
      '{"SoftDeletePeriod":"10.00:00:00","Recoverability":"Disabled"}',
    );
    for (const kind of ['merge', 'sharding', 'partitioning', 'caching']) {
      const [row] = await mgmt(`.show table Events policy ${kind}`);
      expect((row.PolicyName as string).toLowerCase()).toBe(`${kind}policy`);
      expect(row.Policy).toBe('null');
    }
  });

  it('should clear the streaming ingestion schema cache and refresh the batching policy cache', async () => {
    expect(await mgmt('.clear database cache streamingingestion schema')).toEqual([
      { NodeId: 'kqlgate-embedded', Status: 'Succeeded' },
    ]);
    expect(await mgmt('.clear table Events cache streamingingestion schema')).toEqual([
      { NodeId: 'kqlgate-embedded', Status: 'Succeeded' },
    ]);
    expect(await mgmt(".refresh database 'analytics' table 'Events' cache ingestionbatchingpolicy")).toEqual(
      [],
    );
    expect(
      (
        await kustoError(
          h.client.execute(
            'analytics',
            ".refresh database 'analytics' table 'Nope' cache ingestionbatchingpolicy",
          ),
        )
      ).message,
    ).toBe("Table 'Nope' was not found in database 'analytics'.");
  });

  it('should run query operators over the output of a .show command', async () => {
    expect(await mgmt('.show tables | project TableName, DatabaseName')).toEqual([
      { TableName: 'Events', DatabaseName: 'analytics' },
      { TableName: 'Other', DatabaseName: 'analytics' },
    ]);
    expect(await mgmt(".show tables | where TableName startswith 'Ev' | project TableName")).toEqual([
      { TableName: 'Events' },
    ]);
    expect(await mgmt('.show tables | count')).toEqual([{ Count: 2 }]);
    // Every column type of a command's result survives the trip through the query: bool, int, long, datetime.
    const [cluster] = await mgmt(
      '.show cluster | project IsAdmin, ProcessorCount, Memory = MachineTotalMemory, Year = getyear(StartTime)',
    );
    expect(cluster).toEqual({
      IsAdmin: true,
      ProcessorCount: expect.any(Number) as number,
      Memory: expect.any(Number) as number,
      Year: new Date().getUTCFullYear(),
    });
    await h.client.execute('analytics', '.alter table Other policy streamingingestion enable');
    expect(
      await mgmt(
        '.show table Other policy streamingingestion | project IsEnabled = tobool(todynamic(Policy).IsEnabled)',
      ),
    ).toEqual([{ IsEnabled: true }]);
  });

  it('should list no export containers, with the StorageRoot column', async () => {
    const response = await h.client.execute('analytics', '.show export containers');
    expect(response.primaryResults[0].columns.map((c) => c.name)).toEqual(['StorageRoot']);
    expect(rowsOf(response)).toEqual([]);
  });

  it('should keep refusing unknown commands and policies with a clear error', async () => {
    expect(
      (await kustoError(h.client.execute('analytics', '.show table Events policy roworder'))).message,
    ).toBe(
      "The 'roworder' policy is not supported by the embedded engine (at 1:27); supported: update, streamingingestion, ingestionbatching, retention, merge, sharding, partitioning, caching.",
    );
    expect((await kustoError(h.client.execute('analytics', '.purge table Events records'))).message).toBe(
      "Control command '.purge' is not supported by the embedded engine (at 1:2).",
    );
  });
});
