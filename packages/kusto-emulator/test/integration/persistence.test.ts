import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Client as KustoClient } from 'azure-kusto-data';
import { DataFormat, StreamingIngestClient } from 'azure-kusto-ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, packageRoot } from '../utils/ensure-built.js';
import { freePort } from '../utils/free-port.js';
import { removeDir, tempDir } from '../utils/temp-dir.js';
import { ingestProps, jsonLines, startEngineHarness, type EngineHarness } from './kusto-engine-harness.js';

function data(response: { primaryResults: Array<{ toJSON(): { data: unknown[] } }> }): unknown[] {
  return response.primaryResults[0].toJSON().data;
}

describe('KustoEngine persistence', () => {
  describe('restart', () => {
    let h: EngineHarness;

    beforeAll(async () => {
      h = await startEngineHarness();
    });

    afterAll(async () => {
      await h.stop();
    });

    it('should keep tables, functions, mappings, policies and rows across a restart', async () => {
      await h.client.execute('analytics', '.create table Events (Id:string, Kind:string, Value:long)');
      await h.client.execute('analytics', '.create table Clicks (Id:string, Value:long)');
      await h.client.execute(
        'analytics',
        `.create table Events ingestion json mapping "events_json" '[{"column":"Id","Properties":{"Path":"$.id"}},{"column":"Kind","Properties":{"Path":"$.kind"}},{"column":"Value","Properties":{"Path":"$.v"}}]'`,
      );
      await h.client.execute(
        'analytics',
        `.alter table Clicks policy update @'[{"IsEnabled": true, "Source": "Events", "Query": "Events | where Kind == ''click'' | project Id, Value", "IsTransactional": true}]'`,
      );
      await h.client.execute(
        'analytics',
        '.create function with (docstring = "sum per kind") TotalByKind(kind:string) { Events | where Kind == kind | summarize Total = sum(Value) }',
      );
      await h.client.execute(
        'analytics',
        ".create function ViewTotal() { Events | where Kind == 'view' | summarize Total = sum(Value) }",
      );
      await h.ingest.ingestFromStream(
        jsonLines([
          { id: 'e1', kind: 'click', v: 1 },
          { id: 'e2', kind: 'view', v: 2 },
        ]),
        ingestProps('Events', DataFormat.JSON, 'events_json'),
      );

      await h.restart();

      expect(
        data(await h.client.execute('analytics', '.show tables')).map(
          (t) => (t as { TableName: string }).TableName,
        ),
      ).toEqual(['Clicks', 'Events']);
      expect(data(await h.client.execute('analytics', 'Events | order by Id asc'))).toEqual([
        { Id: 'e1', Kind: 'click', Value: 1 },
        { Id: 'e2', Kind: 'view', Value: 2 },
      ]);
      expect(data(await h.client.execute('analytics', 'ViewTotal()'))).toEqual([{ Total: 2 }]);
      expect(data(await h.client.execute('analytics', '.show function TotalByKind'))).toEqual([
        {
          Name: 'TotalByKind',
          Parameters: '(kind:string)',
          Body: '{Events | where Kind == kind | summarize Total = sum(Value)}',
          Folder: '',
          DocString: 'sum per kind',
        },
      ]);
      // The mapping and the update policy still work after the restart.
      await h.ingest.ingestFromStream(
        jsonLines([{ id: 'e3', kind: 'click', v: 3 }]),
        ingestProps('Events', DataFormat.JSON, 'events_json'),
      );
      expect(data(await h.client.execute('analytics', 'Clicks | order by Id asc'))).toEqual([
        { Id: 'e1', Value: 1 },
        { Id: 'e3', Value: 3 },
      ]);
      const policy = data(await h.client.execute('analytics', '.show table Clicks policy update'))[0] as {
        Policy: string;
      };
      expect(JSON.parse(policy.Policy)).toEqual([
        {
          IsEnabled: true,
          Source: 'Events',
          Query: "Events | where Kind == 'click' | project Id, Value",
          IsTransactional: true,
          PropagateIngestionProperties: false,
          ManagedIdentity: null,
        },
      ]);
    });
  });

  describe('case twins', () => {
    let h: EngineHarness;

    beforeAll(async () => {
      h = await startEngineHarness();
    });

    afterAll(async () => {
      await h.stop();
    });

    it('should keep the DuckDB columns of columns that differ only by case across a restart', async () => {
      await h.client.execute('analytics', '.create table Twins (a:long, A:string)');
      await h.client.execute('analytics', '.ingest inline into table Twins <|\n1,one');
      await h.restart();
      await h.client.execute('analytics', '.ingest inline into table Twins <|\n2,two');
      expect(data(await h.client.execute('analytics', 'Twins | order by a asc'))).toEqual([
        { a: 1, A: 'one' },
        { a: 2, A: 'two' },
      ]);
    });
  });

  describe('SIGKILL during ingestion', () => {
    let dataDir: string;
    let child: ChildProcess | undefined;

    beforeAll(async () => {
      await ensureBuilt();
      dataDir = await tempDir('kusto-kill');
    });

    afterAll(async () => {
      child?.kill('SIGKILL');
      await removeDir(dataDir);
    });

    async function startChild(): Promise<{ process: ChildProcess; url: string }> {
      const port = await freePort();
      const processHandle = spawn(
        process.execPath,
        // The package's own command, as `npx kusto-emulator` runs it; ensureBuilt() has built its dist/.
        [
          join(packageRoot, 'bin', 'kusto-emulator.js'),
          '--port',
          String(port),
          '--data-dir',
          dataDir,
          '--log-level',
          'warn',
        ],
        { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = processHandle;
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        processHandle.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /kusto emulator listening on (http:\/\/\S+)/.exec(output);
          if (match) {
            resolve(match[1]);
          }
        });
        processHandle.stderr?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
        });
        processHandle.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${output}`)));
      });
      return { process: processHandle, url };
    }

    it('should keep all or none of a batch when the engine is killed mid-ingestion', async () => {
      const rows = 200_000;
      let running = await startChild();
      let client = new KustoClient(`Data Source=${running.url};Initial Catalog=analytics`);
      await client.execute('analytics', '.create table Big (Id:long, Payload:string)');
      await client.execute('analytics', '.ingest inline into table Big <| 0,first');

      const ingest = new StreamingIngestClient(`Data Source=${running.url};Initial Catalog=analytics`);
      const payload = Buffer.from(
        Array.from({ length: rows }, (_, i) =>
          JSON.stringify({ Id: i + 1, Payload: `row-${i}-${'x'.repeat(40)}` }),
        ).join('\n'),
      );
      let bodySent!: () => void;
      const sent = new Promise<void>((resolve) => (bodySent = resolve));
      const source = new Readable({
        read() {
          this.push(payload);
          this.push(null);
          bodySent();
        },
      });
      const outcome = ingest.ingestFromStream(source, ingestProps('Big', DataFormat.JSON)).then(
        () => 'completed',
        () => 'failed',
      );
      await sent;
      // The engine is now parsing, mapping and appending the batch; kill it without warning.
      await new Promise((resolve) => setTimeout(resolve, 150));
      running.process.kill('SIGKILL');
      await new Promise((resolve) => running.process.once('exit', resolve));
      const result = await outcome;
      client.close();
      ingest.close();

      running = await startChild();
      client = new KustoClient(`Data Source=${running.url};Initial Catalog=analytics`);
      const count = (data(await client.execute('analytics', 'Big | count'))[0] as { Count: number }).Count;
      expect([1, rows + 1]).toContain(count);
      if (result === 'completed') {
        expect(count).toBe(rows + 1);
      }
      // The database is writable after recovery.
      await client.execute('analytics', '.ingest inline into table Big <| -1,after-restart');
      expect(data(await client.execute('analytics', 'Big | where Id == -1 | project Payload'))).toEqual([
        { Payload: 'after-restart' },
      ]);
      client.close();
      running.process.kill('SIGTERM');
      await new Promise((resolve) => running.process.once('exit', resolve));
      child = undefined;
    });
  });
});
