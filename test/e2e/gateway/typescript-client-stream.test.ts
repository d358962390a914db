import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KqlgateClient,
  KqlgateError,
  SseParser,
  type KqlgateStreamResult,
  type PaymentFailureRateRow,
} from '../../../examples/typescript-client/kqlgate-client.js';

/**
 * The stream side of the generated client (the committed example, which the generated-artefacts test keeps equal
 * to the generator's output) against a small HTTP server speaking the SSE contract of
 * `GET /api/v1/functions/{Name}/stream` (docs/client.md): results as `id`/`event: result`/`data` on one or more
 * lines, `: keep-alive` comments, CRLF line ends, chunks cut anywhere, a close event with its code, refusals as
 * problem+json before the stream opens, and the consumer's AbortSignal.
 */

const ROW: PaymentFailureRateRow = {
  Period: '2026-12-06T11:00:00.0000000Z',
  Method: 'card',
  Attempts: 3,
  Declines: 1,
  FailureRate: 0.3333,
  DeclinedAmount: 20.25,
};
const META = {
  function: 'PaymentFailureRate',
  rowCount: 1,
  truncated: false,
  maxRows: 2000,
  columns: [{ name: 'Method', type: 'string' }],
  cache: 'miss',
};
const BODY = JSON.stringify({ data: [ROW], meta: META });

type Script = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** The chunks written with a pause between them, so that they reach the client as separate reads. */
async function writeApart(response: ServerResponse, chunks: readonly string[]): Promise<void> {
  for (const chunk of chunks) {
    response.write(chunk);
    await sleep(20);
  }
}

function openStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  response.flushHeaders();
}

/** Resolves when the server side of the request's connection closes. */
function connectionClosed(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => request.socket.once('close', () => resolve()));
}

async function collect<Row>(
  stream: AsyncIterable<KqlgateStreamResult<Row>>,
): Promise<KqlgateStreamResult<Row>[]> {
  const results: KqlgateStreamResult<Row>[] = [];
  for await (const result of stream) {
    results.push(result);
  }
  return results;
}

describe('KqlgateStream', () => {
  let server: Server;
  let baseUrl: string;
  let script: Script;
  const requests: { url: string; headers: IncomingMessage['headers'] }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push({ url: request.url ?? '', headers: request.headers });
      void script(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  describe('[Symbol.asyncIterator]', () => {
    it('should yield each result and end with the close event, across heartbeats, CRLF and cut chunks', async () => {
      script = async (_request, response) => {
        openStream(response);
        // Two data: lines, cut between JSON tokens (their joining "\n" is JSON whitespace).
        const cut = BODY.indexOf('"meta"');
        const [head, tail] = [BODY.slice(0, cut), BODY.slice(cut)];
        await writeApart(response, [
          ': keep-alive\r\n\r\n',
          'id: 1\r\nevent: result\r\ndata: ',
          `${BODY}\r`,
          '\n\r\n: keep-alive\n\n',
          `id: 2\nevent: result\ndata: ${head}\ndata: ${tail}\n`,
          '\nevent: close\ndata: {"code":"IDLE_TIMEOUT","reason":"no new results for 30 minutes"}\n\n',
        ]);
        response.end();
      };
      const client = new KqlgateClient({ baseUrl, token: 'secret-token' });
      const stream = client.streamPaymentFailureRate({ lookback: '1h', method: 'card' });

      const results = await collect(stream);

      expect(results).toEqual([
        { id: '1', data: [ROW], meta: META },
        { id: '2', data: [ROW], meta: META },
      ]);
      expect(stream.closeReason).toEqual({ code: 'IDLE_TIMEOUT', reason: 'no new results for 30 minutes' });
      expect(requests.at(-1)).toMatchObject({
        url: '/api/v1/functions/PaymentFailureRate/stream?lookback=1h&method=card',
        headers: { authorization: 'Bearer secret-token', accept: 'text/event-stream' },
      });
    });

    it('should throw the problem of a refusal before the stream opens as a KqlgateError', async () => {
      const problem = {
        type: 'https://kqlgate.dev/problems/auth-forbidden',
        title:
          'function PaymentFailureRate requires one of: role operations, role fraud-analyst, role analyst',
        status: 403,
        code: 'AUTH_FORBIDDEN',
        function: 'PaymentFailureRate',
      };
      script = (_request, response) => {
        response.writeHead(403, { 'content-type': 'application/problem+json; charset=utf-8' });
        response.end(JSON.stringify(problem));
        return Promise.resolve();
      };
      const stream = new KqlgateClient({ baseUrl, apiKey: 'key-1' }).streamPaymentFailureRate();

      const error = await collect(stream).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(KqlgateError);
      expect(error).toMatchObject({ status: 403, code: 'AUTH_FORBIDDEN', title: problem.title, problem });
      expect(requests.at(-1)?.headers['x-api-key']).toBe('key-1');
    });

    it('should describe a refusal without a problem body by its status', async () => {
      script = (_request, response) => {
        response.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
        response.end('<html>proxy error</html>');
        return Promise.resolve();
      };

      const error = await collect(new KqlgateClient({ baseUrl }).streamLowStock()).catch((e: unknown) => e);

      expect(error).toMatchObject({
        name: 'KqlgateError',
        status: 502,
        code: 'HTTP_502',
        message: 'GET /api/v1/functions/LowStock/stream answered 502 Bad Gateway without a problem body',
      });
    });

    it('should end quietly and close the connection when the AbortSignal aborts', async () => {
      let closed: Promise<void> | undefined;
      script = async (request, response) => {
        closed = connectionClosed(request);
        openStream(response);
        await writeApart(response, [`id: 1\nevent: result\ndata: ${BODY}\n\n`, ': keep-alive\n\n']);
      };
      const controller = new AbortController();
      const stream = new KqlgateClient({ baseUrl }).streamPaymentFailureRate(
        {},
        { signal: controller.signal },
      );
      const seen: (string | undefined)[] = [];

      for await (const result of stream) {
        seen.push(result.id);
        controller.abort();
      }
      await closed;

      expect(seen).toEqual(['1']);
      expect(stream.closeReason).toBeUndefined();
    });

    it('should close the connection when the consumer leaves the loop', async () => {
      let closed: Promise<void> | undefined;
      script = async (request, response) => {
        closed = connectionClosed(request);
        openStream(response);
        await writeApart(response, [`id: 7\nevent: result\ndata: ${BODY}\n\n`]);
      };
      const stream = new KqlgateClient({ baseUrl }).streamPaymentFailureRate();

      for await (const result of stream) {
        expect(result.id).toBe('7');
        break;
      }

      await expect(closed).resolves.toBeUndefined();
    });
  });
});

describe(KqlgateClient.name, () => {
  describe('lowStock', () => {
    it('should ask the token function on every call and go through the fetch it is given', async () => {
      const tokens = ['first', 'second'];
      const seen: { url: string; authorization: string | null }[] = [];
      const client = new KqlgateClient({
        baseUrl: 'https://gateway.example/',
        token: () => tokens.shift() ?? 'none',
        fetch: (input, init) => {
          seen.push({ url: input as string, authorization: new Headers(init?.headers).get('authorization') });
          return Promise.resolve(Response.json({ data: [], meta: META }));
        },
      });

      await client.lowStock({ threshold: 5 });
      const result = await client.lowStock({ warehouse: 'WH-BER' });

      expect(result).toEqual({ data: [], meta: META });
      expect(seen).toEqual([
        {
          url: 'https://gateway.example/api/v1/functions/LowStock?threshold=5',
          authorization: 'Bearer first',
        },
        {
          url: 'https://gateway.example/api/v1/functions/LowStock?warehouse=WH-BER',
          authorization: 'Bearer second',
        },
      ]);
    });

    it('should reject with the AbortError of an aborted signal', async () => {
      const client = new KqlgateClient({ baseUrl: 'http://127.0.0.1:9' });

      const error = await client
        .lowStock({}, { signal: AbortSignal.abort() })
        .catch((e: unknown) => e as Error);

      expect(error).toMatchObject({ name: 'AbortError' });
    });
  });

  describe('constructor', () => {
    it('should refuse both a token and an API key', () => {
      expect(() => new KqlgateClient({ baseUrl: 'http://127.0.0.1:9', token: 't', apiKey: 'k' })).toThrow(
        'KqlgateClient: give token or apiKey, not both',
      );
    });
  });
});

describe(SseParser.name, () => {
  describe('push', () => {
    it('should parse LF, CRLF and CR line ends, a CRLF cut between chunks, and join multi-line data', () => {
      const parser = new SseParser();
      const events = [
        ...parser.push('id: 1\revent: result\rdata: a\r'),
        ...parser.push('\ndata:b\r\n\r'),
        ...parser.push('\n'),
        ...parser.push('data: c\n\n'),
      ];
      expect(events).toEqual([
        { id: '1', event: 'result', data: 'a\nb' },
        { id: '1', event: 'message', data: 'c' },
      ]);
    });

    it('should skip comments, drop events without data and keep a field without a colon as empty', () => {
      const parser = new SseParser();
      expect(parser.push(': keep-alive\n\nevent: close\n\nid: 2\ndata\n\n')).toEqual([
        { id: '2', event: 'message', data: '' },
      ]);
    });

    it('should hold a line until its end arrives', () => {
      const parser = new SseParser();
      expect(parser.push('event: res')).toEqual([]);
      expect(parser.push('ult\ndata: {"data"')).toEqual([]);
      expect(parser.push(':[]}\n\n')).toEqual([{ id: undefined, event: 'result', data: '{"data":[]}' }]);
    });
  });
});
