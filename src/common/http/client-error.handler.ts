import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';

/** Errors Node's HTTP parser raises before there is a request (Fastify's `ConnectionError`). */
export interface ClientConnectionError extends Error {
  readonly code?: string;
}

interface ClientProblem {
  readonly status: number;
  readonly reason: string;
  readonly code: string;
  readonly title: string;
}

/** What the caller is told for each parser error; the title says what was wrong and what to change. */
export function clientProblem(error: ClientConnectionError, headerLimitBytes = maxHeaderSize): ClientProblem {
  switch (error.code ?? '') {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        code: 'HTTP_HEADERS_TOO_LARGE',
        title:
          `the request line and headers must fit in ${headerLimitBytes} bytes together; ` +
          'send fewer or shorter headers (e.g. a smaller cookie or one credential) or parameters in a POST body',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        code: 'HTTP_REQUEST_TIMEOUT',
        title: 'the request was not received completely in time; send it again',
      };
    default:
      return {
        status: 400,
        reason: 'Bad Request',
        code: 'HTTP_MALFORMED_REQUEST',
        title: `the request is not valid HTTP/1.1 (${error.code ?? error.message})`,
      };
  }
}

/**
 * Fastify's `clientErrorHandler`: a request Node's parser refuses (headers over `--max-http-header-size`, a
 * malformed request, a request timeout) never reaches a route, so Fastify answers it itself with a body in its own
 * shape, which a problem-JSON client shows as an empty description. This answers in the gateway's problem JSON
 * (`type`, `title`, `status`, `code`), as every other error, and closes the connection (its state is unknown).
 */
export function answerClientError(error: ClientConnectionError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) {
    return;
  }
  if (socket.writable) {
    const problem = clientProblem(error);
    const body = JSON.stringify({
      type: `https://kqlgate.dev/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
      title: problem.title,
      status: problem.status,
      code: problem.code,
    });
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.reason}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
