import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from './clock.js';
import { DrainAbortedError } from './drain-aborted-error.js';
import { waitForQueuedIngestion, type TableReport } from './queued-ingestion-status.js';

/** A status table whose entity stays Pending: the data-management service never seals the ingestion. */
function pendingStatusTable(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json;odata=nometadata' });
    response.end(JSON.stringify({ PartitionKey: 'src-1', RowKey: 'src-1', Status: 'Pending' }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('waitForQueuedIngestion', () => {
  let server: Server;
  let report: TableReport;

  beforeAll(async () => {
    server = await pendingStatusTable();
    const { port } = server.address() as AddressInfo;
    report = {
      ingestionStatusInTableDescription: { partitionKey: 'src-1', rowKey: 'src-1' },
      tableClient: { url: `http://127.0.0.1:${port}/devstoreaccount1`, tableName: 'ingestionsstatus' },
    };
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('should stop waiting for a commit when the drain aborts, long before its status timeout', async () => {
    const drain = new AbortController();
    setTimeout(() => drain.abort(), 100);
    const wait = waitForQueuedIngestion(report, 'db.Orders', {
      timeoutMs: 5_000,
      pollMs: 20,
      clock: systemClock,
      drain: drain.signal,
    });
    await expect(wait).rejects.toThrow(DrainAbortedError);
    await expect(wait).rejects.toThrow(
      "stopped waiting for queued ingestion src-1 into db.Orders to commit: the shutdown's drain timeout passed (the status stayed Pending); its messages are abandoned for redelivery",
    );
  });
});
