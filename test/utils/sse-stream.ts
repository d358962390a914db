/** One Server-Sent Event as a client sees it: `id`, `event` and `data` fields, or a `: comment` line. */
export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

export interface SseStream {
  readonly status: number;
  readonly headers: Headers;
  /** The next event (comments included), or undefined once the server ended the stream. */
  next(): Promise<SseEvent | undefined>;
  /** The next event that is not a comment. */
  nextEvent(): Promise<SseEvent | undefined>;
  close(): Promise<void>;
}

/**
 * Opens `url` with fetch and parses its `text/event-stream` body (WHATWG HTML §9.2.6): fields up to a blank line
 * make an event; a line starting with `:` is a comment, reported as its own event so tests can see heartbeats.
 */
export async function openSseStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let ended = false;
  const queue: SseEvent[] = [];

  const parse = (): void => {
    for (let blank = buffer.indexOf('\n\n'); blank !== -1; blank = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, blank);
      buffer = buffer.slice(blank + 2);
      const event: SseEvent = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          queue.push({ comment: line.slice(1).trim() });
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id' || field === 'event') {
          event[field] = value;
        } else if (field === 'data') {
          event.data = event.data === undefined ? value : `${event.data}\n${value}`;
        }
      }
      if (event.id !== undefined || event.event !== undefined || event.data !== undefined) {
        queue.push(event);
      }
    }
  };

  const next = async (): Promise<SseEvent | undefined> => {
    while (queue.length === 0 && !ended) {
      const chunk = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (chunk.done) {
        ended = true;
        break;
      }
      buffer += chunk.value;
      parse();
    }
    return queue.shift();
  };

  return {
    status: response.status,
    headers: response.headers,
    next,
    async nextEvent() {
      for (let event = await next(); event; event = await next()) {
        if (event.comment === undefined) {
          return event;
        }
      }
      return undefined;
    },
    async close() {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    },
  };
}
