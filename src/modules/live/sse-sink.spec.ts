import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueryResult } from '../query/function-query.service.js';
import { LiveCloseCode } from './live-close.js';
import { SseSink } from './sse-sink.js';

const result = (rows: Record<string, unknown>[]): QueryResult =>
  ({
    rows,
    meta: { function: 'F', rowCount: rows.length },
    cache: { status: 'miss', ttlSeconds: 0, ageSeconds: 0, staleWhileRevalidateSeconds: 0, shared: false },
  }) as unknown as QueryResult;

/** A real HTTP response for the sink to write to, and the client's view of its body. */
async function served(
  bufferBytes: number,
): Promise<{ sink: SseSink; body: () => Promise<string>; server: Server }> {
  let sink!: SseSink;
  const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
    sink = new SseSink(res, bufferBytes);
    res.writeHead(200, { 'content-type': 'text/event-stream' }).flushHeaders();
    sink.stream.pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const response = await new Promise<IncomingMessage>((resolve) =>
    request({ port, host: '127.0.0.1', path: '/' }, resolve).end(),
  );
  const body = async (): Promise<string> => {
    let text = '';
    for await (const chunk of response) {
      text += String(chunk);
    }
    return text;
  };
  return { sink, body, server };
}

describe(SseSink.name, () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  describe('push', () => {
    it('should write each result as id, event result and the REST body on one data line', async () => {
      const running = await served(1024 * 1024);
      server = running.server;
      expect(running.sink.push(result([{ a: 1, text: 'two\nlines' }]), 1)).toBe(true);
      running.sink.heartbeat();
      running.sink.close(LiveCloseCode.IdleTimeout, 'quiet');
      expect(await running.body()).toBe(
        'id: 1\nevent: result\ndata: {"data":[{"a":1,"text":"two\\nlines"}],"meta":{"function":"F","rowCount":1}}\n\n' +
          ': keep-alive\n\n' +
          'event: close\ndata: {"code":"IDLE_TIMEOUT","reason":"quiet"}\n\n',
      );
    });

    it('should report false once more than the buffer limit waits for the client', async () => {
      const running = await served(1024);
      server = running.server;
      // The client does not read: the body is never consumed.
      const big = result([{ text: 'x'.repeat(64 * 1024) }]);
      let accepted = true;
      for (let i = 1; accepted && i < 1000; i += 1) {
        accepted = running.sink.push(big, i);
      }
      expect(accepted).toBe(false);
      expect(running.sink.backlog).toBeGreaterThan(1024);
    });
  });
});
