import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME } from '../../src/dm/azurite-process.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';
import { kustoError, startEngineHarness, type EngineHarness } from './kusto-engine-harness.js';

function rowsOf(response: {
  primaryResults: Array<{ toJSON(): { data: unknown[] } }>;
}): Array<Record<string, unknown>> {
  return response.primaryResults[0].toJSON().data as Array<Record<string, unknown>>;
}

/** A small Parquet file written by DuckDB, as an analyst's reference data would be. */
async function writeParquet(file: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT * FROM (VALUES ('EUR', 1.08, TIMESTAMP '2026-01-01 00:00:00'), ('GBP', 1.27, TIMESTAMP '2026-01-02 12:00:00')) t(Currency, Rate, ValidFrom)) TO '${file}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
}

describe('External tables (azure-kusto-data against the engine, blobs in its Azurite)', () => {
  let h: EngineHarness;
  let root: string;
  let blobEndpoint: string;
  let fxUri: string;

  beforeAll(async () => {
    root = await tempDir('external-root');
    h = await startEngineHarness({ dataManagement: true, externalDataRoot: root });
    blobEndpoint = `http://127.0.0.1:${h.engine.storagePorts!.blob}/${DEV_ACCOUNT_NAME}`;
    const service = new BlobServiceClient(
      blobEndpoint,
      new StorageSharedKeyCredential(DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY),
    );
    const container = service.getContainerClient('reference');
    await container.createIfNotExists();
    const parquet = join(root, 'rates.parquet');
    await writeParquet(parquet);
    await container.getBlockBlobClient('fx/2026/rates.parquet').uploadFile(parquet);
    fxUri = `${blobEndpoint}/reference/fx`;
    await writeFile(
      join(root, 'products.csv'),
      'Sku,Name,Price\nA-1,Kettle,25.5\nB-2,Toaster,40\nC-3,"Mug, large",7.25\n',
    );
  });

  afterAll(async () => {
    await h.stop();
    await removeDir(root);
  });

  it('should query an external table over a Parquet folder in blob storage', async () => {
    await h.client.execute(
      'analytics',
      `.create external table FxRates (Currency: string, Rate: real, ValidFrom: datetime) kind=storage dataformat=parquet (h@'${fxUri};${DEV_ACCOUNT_KEY}') with (folder='reference', docstring='FX rates')`,
    );
    const rows = rowsOf(
      await h.client.execute('analytics', "external_table('FxRates') | order by Currency asc"),
    );
    expect(rows).toEqual([
      { Currency: 'EUR', Rate: 1.08, ValidFrom: new Date('2026-01-01T00:00:00Z') },
      { Currency: 'GBP', Rate: 1.27, ValidFrom: new Date('2026-01-02T12:00:00Z') },
    ]);
  });

  it('should show external tables with the account key redacted', async () => {
    const rows = rowsOf(await h.client.execute('analytics', '.show external tables'));
    expect(rows).toEqual([
      {
        TableName: 'FxRates',
        TableType: 'Blob',
        Folder: 'reference',
        DocString: 'FX rates',
        Properties: JSON.stringify({ Format: 'parquet', ConnectionStrings: [`${fxUri};****`] }),
      },
    ]);
    const schema = rowsOf(await h.client.execute('analytics', '.show external table FxRates cslschema'));
    expect(schema[0].Schema).toBe('Currency:string,Rate:real,ValidFrom:datetime');
  });

  it('should read a local CSV with a header inside a stored function that joins it', async () => {
    await h.client.execute(
      'analytics',
      `.create external table Products (Sku: string, Name: string, Price: real) kind=storage dataformat=csv (h@'${pathToFileURL(join(root, 'products.csv')).href}') with (includeHeaders='All')`,
    );
    await h.client.execute(
      'analytics',
      `.create function OrderLines() { datatable(Sku: string, Qty: long)['A-1', 2, 'C-3', 4] | join kind=inner (external_table('Products')) on Sku | project Sku, Name, Total = Qty * Price | order by Sku asc }`,
    );
    expect(rowsOf(await h.client.execute('analytics', 'OrderLines()'))).toEqual([
      { Sku: 'A-1', Name: 'Kettle', Total: 51 },
      { Sku: 'C-3', Name: 'Mug, large', Total: 29 },
    ]);
  });

  it('should read the development account cloud address from the engine Azurite, and externaldata', async () => {
    await h.client.execute(
      'analytics',
      `.create-or-alter external table FxCloud (Currency: string, Rate: real) kind=storage dataformat=parquet (h@'https://${DEV_ACCOUNT_NAME}.blob.core.windows.net/reference/fx;${DEV_ACCOUNT_KEY}')`,
    );
    expect(rowsOf(await h.client.execute('analytics', "external_table('FxCloud') | count"))).toEqual([
      { Count: 2 },
    ]);
    const rows = rowsOf(
      await h.client.execute(
        'analytics',
        `externaldata (Currency: string, Rate: real) [h@'${fxUri}/2026/rates.parquet;${DEV_ACCOUNT_KEY}'] with (format='parquet') | where Currency == 'GBP'`,
      ),
    );
    expect(rows).toEqual([{ Currency: 'GBP', Rate: 1.27 }]);
  });

  it('should name the table, the address and the cause when a blob is missing or the key is wrong', async () => {
    const missing = await kustoError(
      h.client.execute(
        'analytics',
        `externaldata (Currency: string) [h@'${fxUri}/nope.parquet;${DEV_ACCOUNT_KEY}'] with (format='parquet')`,
      ),
    );
    expect(missing.message).toBe(`externaldata: the blob was not found at ${fxUri}/nope.parquet;****.`);
    const badKey = 'AAAA' + DEV_ACCOUNT_KEY.slice(4);
    await h.client.execute(
      'analytics',
      `.create external table FxBadKey (Currency: string) kind=storage dataformat=parquet (h@'${fxUri};${badKey}')`,
    );
    const denied = await kustoError(h.client.execute('analytics', "external_table('FxBadKey')"));
    expect(denied.message).toBe(
      `External table 'FxBadKey': access to ${fxUri};**** was denied (HTTP 403, AuthorizationFailure); check the account key or SAS token of the connection string.`,
    );
    expect(denied.message).not.toContain(badKey);
  });

  it('should name the column the data lacks', async () => {
    await h.client.execute(
      'analytics',
      `.create external table FxWrong (Currency: string, Spread: real) kind=storage dataformat=parquet (h@'${fxUri};${DEV_ACCOUNT_KEY}')`,
    );
    const error = await kustoError(h.client.execute('analytics', "external_table('FxWrong')"));
    expect(error.message).toBe(
      `External table 'FxWrong': column 'Spread' is not in the data at ${fxUri};**** (its columns: Currency, Rate, ValidFrom).`,
    );
  });

  it('should refuse local files outside the external data root', async () => {
    const error = await kustoError(
      h.client.execute('analytics', `externaldata (a: string) [@'file:///etc/passwd'] with (format='csv')`),
    );
    expect(error.message).toBe(
      "externaldata: file:///etc/passwd is outside the engine's external data root.",
    );
  });

  it('should refuse a table over an external table name, and an external table over a table name', async () => {
    const taken = {
      status: 400,
      code: 'BadRequest_EntityAlreadyExists',
      type: 'Kusto.Data.Exceptions.EntityAlreadyExistsException',
    };
    for (const command of ['.create table FxWrong (a: string)', '.create-merge table FxWrong (a: string)']) {
      expect(await kustoError(h.client.execute('analytics', command))).toEqual({
        ...taken,
        message:
          "Table 'FxWrong' cannot be created: database 'analytics' has an external table of that name, and a table and an external table can't have the same name.",
      });
    }
    await h.client.execute('analytics', '.create table Ledger (Sku: string)');
    const file = pathToFileURL(join(root, 'products.csv')).href;
    expect(
      await kustoError(
        h.client.execute(
          'analytics',
          `.create external table Ledger (Sku: string) kind=storage dataformat=csv (h@'${file}')`,
        ),
      ),
    ).toEqual({
      ...taken,
      message:
        "External table 'Ledger' cannot be created: database 'analytics' has a table of that name, and a table and an external table can't have the same name.",
    });
    const tables = rowsOf(await h.client.execute('analytics', '.show tables')).map((t) => t.TableName);
    expect(tables).toEqual(['Ledger']);
  });

  it('should drop an external table', async () => {
    await h.client.execute('analytics', '.drop external table FxWrong');
    const error = await kustoError(h.client.execute('analytics', '.show external table FxWrong'));
    expect(error.message).toBe("External table 'FxWrong' was not found in database 'analytics'.");
  });
});
