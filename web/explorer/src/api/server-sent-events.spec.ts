import { describe, expect, it } from 'vitest';
import { parseServerSentEvents } from './server-sent-events.js';

function body(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(encoder.encode(chunk));
      }
      controller.close();
    },
  });
}

describe('parseServerSentEvents', () => {
  it('should yield events split across chunks, skipping keep-alive comments', async () => {
    const events = [];
    for await (const event of parseServerSentEvents(
      body(
        'id: 1\nevent: res',
        'ult\ndata: {"data":[]}\n\n: keep-alive\n\r\n',
        'event: close\r\ndata: {"code":"IDLE_TIMEOUT"}\r\n\r\n',
      ),
    )) {
      events.push(event);
    }
    expect(events).toEqual([
      { id: '1', event: 'result', data: '{"data":[]}' },
      { id: '1', event: 'close', data: '{"code":"IDLE_TIMEOUT"}' },
    ]);
  });
});
