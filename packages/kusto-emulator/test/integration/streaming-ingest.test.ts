import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataFormat, ManagedStreamingIngestClient } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ingestProps,
  jsonLines,
  kustoError,
  startEngineHarness,
  type EngineHarness,
} from './kusto-engine-harness.js';

const MAX_BODY = 256 * 1024;

describe('KustoEngine streaming ingestion', () => {
  let h: EngineHarness;

  async function rows(query: string): Promise<unknown[]> {
    return (await h.client.execute('analytics', query)).primaryResults[0].toJSON().data;
  }

  async function count(table: string): Promise<number> {
    const details = await h.client.execute('analytics', `.show table ${table} details`);
    return (details.primaryResults[0].toJSON().data[0] as { TotalRowCount: number }).TotalRowCount;
  }

  beforeAll(async () => {
    h = await startEngineHarness({ maxIngestBodyBytes: MAX_BODY });
    await h.client.execute(
      'analytics',
      '.create table RawOrders (OrderId:string, Amount:real, Qty:int, Ts:datetime, Tags:dynamic, Source:string)',
    );
    await h.client.execute(
      'analytics',
      `.create table RawOrders ingestion json mapping "raw_json" \`\`\`[
        {"column":"OrderId","Properties":{"Path":"$.id"}},
        {"column":"Amount","Properties":{"Path":"$.total.amount"}},
        {"column":"Qty","Properties":{"Path":"$.lines[0].qty"}},
        {"column":"Ts","Properties":{"Path":"$.epoch","Transform":"DateTimeFromUnixSeconds"}},
        {"column":"Tags","Properties":{"Path":"$.tags"}},
        {"column":"Source","Properties":{"ConstValue":"web"}}
      ]\`\`\``,
    );
    await h.client.execute('analytics', '.create table BigOrders (OrderId:string, Amount:real)');
    await h.client.execute(
      'analytics',
      `.alter table BigOrders policy update @'[{"IsEnabled": true, "Source": "RawOrders", "Query": "RawOrders | where Amount >= 100 | project OrderId, Amount", "IsTransactional": true}]'`,
    );
  });

  afterAll(async () => {
    await h.stop();
  });

  it('should land rows through a JSON mapping and run the update policy in the same ingestion', async () => {
    const result = await h.ingest.ingestFromStream(
      jsonLines([
        { id: 'o1', total: { amount: 250.5 }, lines: [{ qty: 2 }], epoch: 1714566896, tags: ['a', 'b'] },
        {
          id: 'o2',
          total: { amount: 20 },
          lines: [{ qty: 'not a number' }],
          epoch: 1714566900,
          tags: { vip: true },
        },
      ]),
      ingestProps('RawOrders', DataFormat.JSON, 'raw_json'),
    );
    expect((result as { Tables: Array<{ Rows: unknown[][] }> }).Tables[0].Rows).toEqual([
      [2, 'Succeeded', 'Unknown', null],
    ]);
    expect(await rows('RawOrders | order by OrderId asc')).toEqual([
      {
        OrderId: 'o1',
        Amount: 250.5,
        Qty: 2,
        Ts: new Date('2024-05-01T12:34:56Z'),
        Tags: ['a', 'b'],
        Source: 'web',
      },
      {
        OrderId: 'o2',
        Amount: 20,
        Qty: null,
        Ts: new Date('2024-05-01T12:35:00Z'),
        Tags: { vip: true },
        Source: 'web',
      },
    ]);
    expect(await rows('BigOrders')).toEqual([{ OrderId: 'o1', Amount: 250.5 }]);
  });

  it('should ingest multijson arrays and CSV files', async () => {
    await h.ingest.ingestFromStream(
      Readable.from([Buffer.from('[{"id":"m1","total":{"amount":1}},\n {"id":"m2","total":{"amount":2}}]')]),
      ingestProps('RawOrders', DataFormat.MULTIJSON, 'raw_json'),
    );
    const file = join(h.dataDir, 'orders.csv');
    await writeFile(file, 'c1,300,1,2024-01-02T03:04:05Z,"{""k"":1}",csv\nc2,"4.5",,not-a-date,,csv\n');
    await h.ingest.ingestFromFile(file, ingestProps('RawOrders', DataFormat.CSV));
    const jsonFile = join(h.dataDir, 'orders.json');
    await writeFile(jsonFile, '{"id":"f1","total":{"amount":150},"lines":[{"qty":3}]}\n');
    await h.ingest.ingestFromFile(jsonFile, ingestProps('RawOrders', DataFormat.JSON, 'raw_json'));
    expect(await rows("RawOrders | where OrderId == 'f1' | project OrderId, Amount, Qty, Source")).toEqual([
      { OrderId: 'f1', Amount: 150, Qty: 3, Source: 'web' },
    ]);
    expect(
      await rows(
        "RawOrders | where OrderId startswith 'm' or OrderId startswith 'c' | order by OrderId asc | project OrderId, Amount, Ts, Tags",
      ),
    ).toEqual([
      { OrderId: 'c1', Amount: 300, Ts: new Date('2024-01-02T03:04:05Z'), Tags: { k: 1 } },
      { OrderId: 'c2', Amount: 4.5, Ts: null, Tags: null },
      { OrderId: 'm1', Amount: 1, Ts: null, Tags: null },
      { OrderId: 'm2', Amount: 2, Ts: null, Tags: null },
    ]);
    expect(await rows("BigOrders | where OrderId in ('c1', 'f1') | order by OrderId asc")).toEqual([
      { OrderId: 'c1', Amount: 300 },
      { OrderId: 'f1', Amount: 150 },
    ]);
  });

  it('should accept streaming from ManagedStreamingIngestClient on the first attempt', async () => {
    const managed = new ManagedStreamingIngestClient(h.engine.url, h.engine.url);
    try {
      await managed.ingestFromStream(
        jsonLines([{ id: 'managed-1', total: { amount: 5 } }]),
        ingestProps('RawOrders', DataFormat.JSON, 'raw_json'),
      );
    } finally {
      managed.close();
    }
    expect(await rows("RawOrders | where OrderId == 'managed-1' | project OrderId, Amount")).toEqual([
      { OrderId: 'managed-1', Amount: 5 },
    ]);
  });

  it('should store a batch tagged ingestIfNotExists only once', async () => {
    await h.client.execute('analytics', '.create table Dedup (k:string, v:long)');
    const command = `.ingest inline into table Dedup with (format='csv', tags='["ingest-by:batch-7"]', ingestIfNotExists='["batch-7"]') <|
a,1
b,2`;
    const first = await h.client.execute('analytics', command);
    const second = await h.client.execute('analytics', command);
    expect((first.primaryResults[0].toJSON().data[0] as { RowCount: number }).RowCount).toBe(2);
    expect(second.primaryResults[0].toJSON().data).toEqual([]);
    expect(await count('Dedup')).toBe(2);
  });

  describe('bad input', () => {
    it('should reject malformed JSON and store nothing', async () => {
      const before = await count('RawOrders');
      const error = await kustoError(
        h.ingest.ingestFromStream(
          Readable.from([
            Buffer.from('{"id":"x1","total":{"amount":1}}\n{"id": "x2", "total": {amount: 2}}\n'),
          ]),
          ingestProps('RawOrders', DataFormat.JSON, 'raw_json'),
        ),
      );
      expect(error).toEqual({
        status: 400,
        code: 'BadRequest_InvalidData',
        type: 'Kusto.DataNode.Exceptions.StreamingIngestionDataFormatException',
        message: expect.stringMatching(
          /^Malformed JSON in record 2 at line 2, position 1: .*\. Nothing was ingested\.$/,
        ),
      });
      expect(await count('RawOrders')).toBe(before);
    });

    it('should reject a body over the configured limit', async () => {
      const big = Array.from({ length: 3000 }, (_, i) => ({
        id: `big-${i}`,
        total: { amount: i },
        pad: 'x'.repeat(100),
      }));
      const error = await kustoError(
        h.ingest.ingestFromStream(jsonLines(big), ingestProps('RawOrders', DataFormat.JSON, 'raw_json')),
      );
      expect(error).toEqual({
        status: 413,
        code: 'BadRequest_RequestBodyTooLarge',
        type: 'Kusto.Data.Exceptions.KustoRequestPayloadTooLargeException',
        message: `Request body exceeds the limit of ${MAX_BODY} bytes (after decompression); nothing was ingested. Split the data into smaller batches.`,
      });
      expect(await rows("RawOrders | where OrderId startswith 'big-' | count")).toEqual([{ Count: 0 }]);
    });

    it('should reject an unknown table', async () => {
      const error = await kustoError(
        h.ingest.ingestFromStream(jsonLines([{ a: 1 }]), ingestProps('NoSuchTable', DataFormat.JSON)),
      );
      expect(error).toEqual({
        status: 400,
        code: 'BadRequest_EntityNotFound',
        type: 'Kusto.Data.Exceptions.EntityNotFoundException',
        message: "Table 'NoSuchTable' was not found in database 'analytics'.",
      });
    });

    it('should reject an unknown mapping and a mapping of the wrong kind', async () => {
      const unknown = await kustoError(
        h.ingest.ingestFromStream(
          jsonLines([{ id: 'u' }]),
          ingestProps('RawOrders', DataFormat.JSON, 'nope'),
        ),
      );
      expect(unknown.message).toBe(
        "Json ingestion mapping 'nope' was not found in table 'RawOrders' of database 'analytics'.",
      );
      const wrongKind = await kustoError(
        h.ingest.ingestFromStream(
          Readable.from([Buffer.from('u,1\n')]),
          ingestProps('RawOrders', DataFormat.CSV, 'raw_json'),
        ),
      );
      expect(wrongKind.message).toBe(
        "Csv ingestion mapping 'raw_json' was not found in table 'RawOrders' of database 'analytics'. A Json mapping with that name exists, but format 'csv' needs a Csv mapping.",
      );
      expect(await rows("RawOrders | where OrderId == 'u' | count")).toEqual([{ Count: 0 }]);
    });

    it('should reject records that are not JSON objects', async () => {
      const error = await kustoError(
        h.ingest.ingestFromStream(
          Readable.from([Buffer.from('[1, 2]')]),
          ingestProps('RawOrders', DataFormat.MULTIJSON, 'raw_json'),
        ),
      );
      expect(error.message).toBe(
        'Malformed JSON in record 1 at line 1, position 1: expected a JSON object but found 1. Nothing was ingested.',
      );
    });

    it('should roll the whole ingestion back when a transactional update policy fails', async () => {
      await h.client.execute('analytics', '.create table Src (a:string, n:long)');
      await h.client.execute('analytics', '.create table Dst (a:string, doubled:long)');
      await h.client.execute(
        'analytics',
        `.alter table Dst policy update @'[{"Source": "Src", "Query": "Src | project a, doubled = n * 2", "IsTransactional": true}]'`,
      );
      // Dropping the column the policy reads makes the policy query fail at ingestion time.
      await h.client.execute('analytics', '.alter table Src (a:string)');
      const error = await kustoError(
        h.ingest.ingestFromStream(jsonLines([{ a: 'x' }]), ingestProps('Src', DataFormat.JSON)),
      );
      expect(error.status).toBe(400);
      expect(error.message).toMatch(
        /^Update policy of table 'Dst' \(source 'Src'\) failed: .*n.*\. The update policy is transactional, so nothing was ingested\.$/,
      );
      expect(await count('Src')).toBe(0);
      expect(await count('Dst')).toBe(0);
    });
  });
});
