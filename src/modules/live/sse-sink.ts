import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { QueryResult } from '../query/function-query.service.js';
import { toJson } from '../rest/result-encoders.js';
import { LiveCloseCode } from './live-close.js';
import type { LiveSink } from './live-sink.js';

/** How long a dropped slow consumer's socket may still drain the close event before it is destroyed. */
const SLOW_CONSUMER_GRACE_MS = 1_000;

/**
 * One Server-Sent Events response (docs/functions.md "Live results"):
 *
 * ```
 * id: 1
 * event: result
 * data: {"data":[…],"meta":{…}}        ← the body of GET /api/v1/functions/{Name}, on one line
 *
 * : keep-alive                          ← every 15 s
 *
 * event: close
 * data: {"code":"TOKEN_EXPIRED","reason":"…"}
 * ```
 *
 * Fastify pipes `stream` into the response; what the client has not read yet waits in that stream, the response
 * and the socket, and is counted against the buffer limit on every write.
 */
export class SseSink implements LiveSink {
  readonly stream = new PassThrough();

  constructor(
    private readonly response: ServerResponse,
    private readonly bufferBytes: number,
  ) {}

  /** Bytes written to this stream that the client has not read yet (as far as this process can tell). */
  get backlog(): number {
    return this.stream.writableLength + this.stream.readableLength + this.response.writableLength;
  }

  push(result: QueryResult, sequence: number): boolean {
    this.write(`id: ${sequence}\nevent: result\ndata: ${toJson(result)}\n\n`);
    return this.backlog <= this.bufferBytes;
  }

  heartbeat(): void {
    this.write(': keep-alive\n\n');
  }

  close(code: LiveCloseCode, reason: string): void {
    this.write(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
    this.stream.end();
    if (code === LiveCloseCode.SlowConsumer) {
      // The client does not read, so what is queued for it would stay in memory until the socket times out.
      setTimeout(() => {
        this.stream.destroy();
        this.response.destroy();
      }, SLOW_CONSUMER_GRACE_MS).unref();
    }
  }

  private write(text: string): void {
    if (!this.stream.writableEnded && !this.stream.destroyed) {
      this.stream.write(text);
    }
  }
}
