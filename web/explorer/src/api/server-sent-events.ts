/** One event of a text/event-stream: its `event:` name (default "message"), `data:` lines joined, and `id:`. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}

/**
 * The events of a text/event-stream body, per the HTML standard's parsing rules: lines end with LF, CRLF or CR;
 * a blank line dispatches; `:` lines are comments (the gateway's keep-alives); `data:` lines join with LF.
 */
export async function* parseServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
    const lines = buffer.split(/\r\n|\r|\n/);
    // The last piece is an unfinished line (or '' after a line end), unless the stream ended.
    buffer = done ? '' : (lines.pop() ?? '');
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) {
          yield { event: event || 'message', data: data.join('\n'), ...(id === undefined ? {} : { id }) };
        }
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const fieldValue = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') {
        event = fieldValue;
      } else if (field === 'data') {
        data.push(fieldValue);
      } else if (field === 'id') {
        id = fieldValue;
      }
    }
    if (done) {
      return;
    }
  }
}
