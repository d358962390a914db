/**
 * Embedded Kusto engine, driven by the real SDKs over 127.0.0.1:
 *  - streaming ingestion throughput: `StreamingIngestClient.ingestFromStream` of ~1 KiB JSON rows through a
 *    JSON mapping, batches of 1,000 and 10,000 rows, one batch at a time (each batch is one transaction);
 *    the same 10k batches into a table with an update policy (policy query runs over each batch);
 *  - start-up: `startKustoEmulator` in this process until it listens and answers `.show version`; and a cold
 *    `kusto-emulator` child process (the package's bin) from spawn to its first successful query, which includes
 *    loading the KQL compiler (Kusto.Language).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Client as KustoClient } from 'azure-kusto-data';
import { DataFormat, IngestionProperties, StreamingIngestClient } from 'azure-kusto-ingest';
import { startKustoEmulator } from '@kqlgate/kusto-emulator';
import type { BenchContext, BenchRow, BenchSuite } from './bench-types.js';

/** The package's `kusto-emulator` command, as `npx kusto-emulator` runs it. */
const bin = join(
  dirname(fileURLToPath(import.meta.resolve('@kqlgate/kusto-emulator/package.json'))),
  'bin',
  'kusto-emulator.js',
);

/** One ~1 KiB event; `i` varies the values so DuckDB cannot compress them away. */
function event(i: number): string {
  return JSON.stringify({
    id: `evt-${i}`,
    ts: new Date(1_714_566_896_000 + i * 1000).toISOString(),
    customer: { id: `cust-${i % 5000}`, tier: i % 3 === 0 ? 'gold' : 'silver', country: 'NL' },
    amount: (i % 1000) + 0.25,
    items: [{ sku: `sku-${i % 700}`, qty: (i % 5) + 1 }],
    tags: ['bench', `t${i % 13}`],
    note: 'n'.repeat(700),
  });
}

const MAPPING = JSON.stringify([
  { column: 'Id', Properties: { Path: '$.id' } },
  { column: 'Ts', Properties: { Path: '$.ts' } },
  { column: 'CustomerId', Properties: { Path: '$.customer.id' } },
  { column: 'Tier', Properties: { Path: '$.customer.tier' } },
  { column: 'Amount', Properties: { Path: '$.amount' } },
  { column: 'Sku', Properties: { Path: '$.items[0].sku' } },
  { column: 'Qty', Properties: { Path: '$.items[0].qty' } },
  { column: 'Tags', Properties: { Path: '$.tags' } },
  { column: 'Note', Properties: { Path: '$.note' } },
]);

const SCHEMA =
  '(Id:string, Ts:datetime, CustomerId:string, Tier:string, Amount:real, Sku:string, Qty:int, Tags:dynamic, Note:string)';

async function ingestBatches(
  ingest: StreamingIngestClient,
  table: string,
  batchSize: number,
  batches: number,
  offset: number,
): Promise<number> {
  const payloads = Array.from({ length: batches }, (_, b) =>
    Buffer.from(Array.from({ length: batchSize }, (_, i) => event(offset + b * batchSize + i)).join('\n')),
  );
  const props = new IngestionProperties({
    database: 'analytics',
    table,
    format: DataFormat.JSON,
    ingestionMappingReference: 'm',
  });
  const started = performance.now();
  for (const payload of payloads) {
    await ingest.ingestFromStream(Readable.from([payload]), props);
  }
  return performance.now() - started;
}

async function coldStart(
  ctx: BenchContext,
  dataDir: string,
): Promise<{ listening: number; firstQuery: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          resolveUrl(match[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    const listening = performance.now() - started;
    const client = new KustoClient(`Data Source=${url};Initial Catalog=analytics`);
    await client.execute('analytics', 'print x = 1');
    const firstQuery = performance.now() - started;
    client.close();
    ctx.log(
      `cold start: listening after ${listening.toFixed(0)} ms, first query after ${firstQuery.toFixed(0)} ms`,
    );
    return { listening, firstQuery };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

export const suite: BenchSuite = {
  name: 'kusto-engine',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const dataDir = await mkdtemp(join(tmpdir(), 'kqlgate-bench-kusto-'));
    try {
      const started = performance.now();
      const engine = await startKustoEmulator({ port: 0, dataDir: join(dataDir, 'warm') });
      const listening = performance.now() - started;
      const client = new KustoClient(`Data Source=${engine.url};Initial Catalog=analytics`);
      await client.execute('analytics', '.show version');
      const firstCommand = performance.now() - started;
      rows.push(
        { benchmark: 'startup (in process)', metric: 'listening', value: listening, unit: 'ms' },
        { benchmark: 'startup (in process)', metric: 'first mgmt command', value: firstCommand, unit: 'ms' },
      );

      const ingest = new StreamingIngestClient(`Data Source=${engine.url};Initial Catalog=analytics`);
      await client.execute('analytics', `.create table Events ${SCHEMA}`);
      await client.execute('analytics', `.create table Events ingestion json mapping "m" '${MAPPING}'`);
      await client.execute('analytics', `.create table Events2 ${SCHEMA}`);
      await client.execute('analytics', `.create table Events2 ingestion json mapping "m" '${MAPPING}'`);
      await client.execute(
        'analytics',
        '.create table GoldSpend (CustomerId:string, Amount:real, Ts:datetime)',
      );
      await client.execute(
        'analytics',
        `.alter table GoldSpend policy update @'[{"Source":"Events2","Query":"Events2 | where Tier == ''gold'' | project CustomerId, Amount, Ts","IsTransactional":true}]'`,
      );
      // Warm-up: loads the compiler and prepares connections, so the figures below are steady-state.
      await ingestBatches(ingest, 'Events2', 100, 1, 0);
      await client.execute('analytics', 'Events | count');

      const plan: Array<{ batch: number; batches: number; table: string; label: string }> = [
        {
          batch: 1000,
          batches: ctx.full ? 50 : 15,
          table: 'Events',
          label: 'streaming ingest, 1 KiB JSON rows',
        },
        {
          batch: 10_000,
          batches: ctx.full ? 20 : 5,
          table: 'Events',
          label: 'streaming ingest, 1 KiB JSON rows',
        },
        {
          batch: 10_000,
          batches: ctx.full ? 10 : 3,
          table: 'Events2',
          label: 'streaming ingest + update policy',
        },
      ];
      let offset = 1_000_000;
      for (const step of plan) {
        const elapsed = await ingestBatches(ingest, step.table, step.batch, step.batches, offset);
        offset += step.batch * step.batches;
        const total = step.batch * step.batches;
        const perSecond = (total / elapsed) * 1000;
        ctx.log(`${step.label}, batch ${step.batch}: ${total} rows in ${elapsed.toFixed(0)} ms`);
        rows.push(
          {
            benchmark: `${step.label} (batch ${step.batch})`,
            metric: 'throughput',
            value: perSecond,
            unit: 'rows/s',
            note: `${step.batches} sequential batches`,
          },
          {
            benchmark: `${step.label} (batch ${step.batch})`,
            metric: 'batch latency',
            value: elapsed / step.batches,
            unit: 'ms',
          },
        );
      }
      ingest.close();
      client.close();
      await engine.close();

      const cold = await coldStart(ctx, join(dataDir, 'cold'));
      rows.push(
        {
          benchmark: 'startup (cold CLI process)',
          metric: 'listening',
          value: cold.listening,
          unit: 'ms',
          note: 'node boot + modules',
        },
        {
          benchmark: 'startup (cold CLI process)',
          metric: 'first successful query',
          value: cold.firstQuery,
          unit: 'ms',
          note: 'includes loading Kusto.Language',
        },
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    return rows;
  },
};
