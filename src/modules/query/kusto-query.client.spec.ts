import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packageVersion } from '../../common/package-version.js';
import { KustoQueryClient } from './kusto-query.client.js';

/** The smallest Kusto v2 answer the SDK accepts: one primary table with one row. */
const V2_ANSWER = JSON.stringify([
  { FrameType: 'DataSetHeader', IsProgressive: false, Version: 'v2.0' },
  {
    FrameType: 'DataTable',
    TableId: 0,
    TableKind: 'PrimaryResult',
    TableName: 'PrimaryResult',
    Columns: [{ ColumnName: 'x', ColumnType: 'long' }],
    Rows: [[1]],
  },
  { FrameType: 'DataSetCompletion', HasErrors: false, Cancelled: false },
]);

/** What `.cancel query` answers when it stopped the query. */
const V1_CANCELLED = JSON.stringify({
  Tables: [
    {
      TableName: 'Table_0',
      Columns: [
        { ColumnName: 'ClientActivityId', DataType: 'String', ColumnType: 'string' },
        { ColumnName: 'CancellationState', DataType: 'String', ColumnType: 'string' },
        { ColumnName: 'ReasonPhrase', DataType: 'String', ColumnType: 'string' },
      ],
      Rows: [['kqlgate.F;1', 'Cancelled successfully', 'gone']],
    },
  ],
});

describe(KustoQueryClient.name, () => {
  let server: Server;
  let seen: IncomingHttpHeaders[];
  let commands: string[];
  let url: string;

  beforeEach(async () => {
    seen = [];
    commands = [];
    server = createServer((request, response) => {
      if (request.url === '/v2/rest/query') {
        seen.push(request.headers);
      }
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        if (request.url === '/v1/rest/mgmt') {
          commands.push((JSON.parse(body) as { csl: string }).csl);
          response.end(V1_CANCELLED);
          return;
        }
        // Anything else is the SDK's cloud-metadata probe, which tolerates a 404 (no AAD on a local engine).
        response.statusCode = request.url === '/v2/rest/query' ? 200 : 404;
        response.end(request.url === '/v2/rest/query' ? V2_ANSWER : '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  describe('query', () => {
    it('should name kqlgate in the tracing headers and not send the OS user name', async () => {
      const client = new KustoQueryClient(url, 'analytics');
      try {
        const table = await client.query('print x = 1');
        expect(table.rows).toEqual([[1]]);
      } finally {
        client.close();
      }
      expect(seen).toHaveLength(1);
      expect(seen[0]['x-ms-app']).toBe(
        `Kusto.kqlgate:{${packageVersion()}}|App.{kqlgate}:{${packageVersion()}}`,
      );
      expect(seen[0]['x-ms-user']).toBe('[none]');
    });
  });

  describe('cancel', () => {
    it('should send .cancel query with the id and reason as KQL string literals', async () => {
      const client = new KustoQueryClient(url, 'analytics');
      try {
        expect(await client.cancel('kqlgate.F;"1"\\x', 'the caller\nwent "away"')).toBe(true);
      } finally {
        client.close();
      }
      expect(commands).toEqual([
        '.cancel query "kqlgate.F;\\"1\\"\\\\x" with (reason = "the caller went \\"away\\"")',
      ]);
    });
  });
});
