/**
 * The fixed part of the generated TypeScript client: transport, errors, the SSE parser and the stream iterator.
 * The generator (typescript-client-generator.ts) puts it, as text, ahead of the per-function types and methods, so
 * the client is one dependency-free file a front-end team drops into its project.
 *
 * It is text rather than a module of the app because it is compiled by the client's users, for browsers and for
 * Node ≥ 22 alike (global fetch, AbortSignal, TextDecoder, ReadableStream readers — no Node or DOM-only APIs).
 * It is checked as code where it lands: the committed example (examples/typescript-client/) is part of the
 * repository's tsc and ESLint run, and test/e2e/gateway/typescript-client.test.ts compiles a generated copy with
 * strict `tsc --noEmit` against the DOM library only and runs it against a real gateway and a real SSE server.
 * It holds no backquotes, so it sits in a raw template literal unchanged.
 */
export const CLIENT_RUNTIME_SOURCE = String.raw`
/** The problem+json body (RFC 9457) of a refusal or failure, as the gateway sends it. */
export interface KqlgateProblem {
  readonly status: number;
  /** Stable, upper snake case, e.g. AUTH_FORBIDDEN or QUERY_INVALID_PARAMETERS. */
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly type?: string;
  readonly function?: string;
  /** Each bad parameter and what is wrong with it (400). */
  readonly parameters?: readonly { readonly parameter: string; readonly message: string }[];
  /** Further facts of the refusal (a claim, a retry delay, …). */
  readonly [fact: string]: unknown;
}

/** A refusal or failure of the gateway: the HTTP status and the problem body with its stable code. */
export class KqlgateError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly problem: KqlgateProblem;

  constructor(problem: KqlgateProblem) {
    super(problem.detail === undefined ? problem.title : problem.title + ': ' + problem.detail);
    this.name = 'KqlgateError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.problem = problem;
  }
}

/** The meta object of every result (QueryMeta in openapi.json). */
export interface KqlgateMeta {
  readonly function: string;
  readonly rowCount: number;
  /** More rows than maxRows existed; only maxRows are returned. */
  readonly truncated: boolean;
  readonly maxRows: number;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  /** hit, miss, stale or bypass. */
  readonly cache: string;
  readonly cacheTtlSeconds?: number;
  readonly catalogVersion?: number;
  readonly requestId?: string;
  readonly durationMs?: number;
}

/** The JSON body of a function call: its rows and their meta. */
export interface KqlgateResult<Row> {
  readonly data: Row[];
  readonly meta: KqlgateMeta;
}

export interface KqlgateClientOptions {
  /** Where the gateway answers, e.g. https://kqlgate.example.com (the client adds /api/v1/functions/…). */
  readonly baseUrl: string;
  /** A bearer token, or a function returning the current one (called for every request, so it may refresh). */
  readonly token?: string | (() => string | Promise<string>);
  /** An API key (sent as X-API-Key); give this or token, not both. */
  readonly apiKey?: string;
  /** Replaces the global fetch (tests, proxies, retries). */
  readonly fetch?: typeof fetch;
}

export interface KqlgateCallOptions {
  /** Cancels the call; for a stream, ends the iteration. */
  readonly signal?: AbortSignal;
}

/**
 * One value of a datetime column (ISO 8601, e.g. 2024-05-01T10:00:00.0000000Z) as a Date. Kusto counts 100 ns
 * ticks, so the gateway may send seven fraction digits; they are cut to the milliseconds a Date holds first, as
 * not every JavaScript engine parses more than three.
 */
export function toDate(value: string): Date;
export function toDate(value: string | null): Date | null;
export function toDate(value: string | null): Date | null {
  return value === null ? null : new Date(value.replace(/(\.\d{3})\d+/, '$1'));
}

/** One server-sent event (WHATWG HTML, "server-sent events"). */
export interface SseEvent {
  /** The last id: field seen on the stream, if any. */
  readonly id: string | undefined;
  /** The event: field, "message" when absent. */
  readonly event: string;
  /** The data: lines joined with "\n". */
  readonly data: string;
}

/**
 * Parses a text/event-stream as it arrives, in chunks cut anywhere: lines end in LF, CRLF or CR (a CR at the end of
 * a chunk may be the first half of a CRLF); lines starting with ":" are comments (heartbeats); several data: lines
 * make one multi-line value; an empty line dispatches the event, and an event without data is dropped.
 */
export class SseParser {
  private buffer = '';
  private pendingCr = false;
  private data: string[] = [];
  private event = '';
  private lastId: string | undefined = undefined;

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseEvent[] {
    let input = text;
    if (this.pendingCr && input.startsWith('\n')) {
      input = input.slice(1);
    }
    this.pendingCr = false;
    this.buffer += input;
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const char = this.buffer[i];
      if (char !== '\n' && char !== '\r') {
        continue;
      }
      const line = this.buffer.slice(start, i);
      if (char === '\r') {
        if (i + 1 === this.buffer.length) {
          this.pendingCr = true;
        } else if (this.buffer[i + 1] === '\n') {
          i++;
        }
      }
      start = i + 1;
      const event = this.line(line);
      if (event) {
        events.push(event);
      }
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      return this.dispatch();
    }
    if (line.startsWith(':')) {
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    switch (field) {
      case 'data':
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.lastId = value;
        }
        break;
      default:
        // retry: and unknown fields are ignored, as the standard says.
        break;
    }
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const data = this.data;
    const event = this.event;
    this.data = [];
    this.event = '';
    if (data.length === 0) {
      return undefined;
    }
    return { id: this.lastId, event: event === '' ? 'message' : event, data: data.join('\n') };
  }
}

/** Why the gateway ended a stream (its close event). */
export type KqlgateCloseCode =
  | 'TOKEN_EXPIRED'
  | 'FORBIDDEN'
  | 'SLOW_CONSUMER'
  | 'IDLE_TIMEOUT'
  | 'SHUTTING_DOWN'
  | 'FUNCTION_REMOVED';

export interface KqlgateCloseReason {
  readonly code: KqlgateCloseCode;
  readonly reason: string;
}

/** One result of a stream: the same body as the function's GET, with the event id. */
export interface KqlgateStreamResult<Row> extends KqlgateResult<Row> {
  readonly id: string | undefined;
}

/**
 * The live results of one function over server-sent events, as an async iterable: the current result at once,
 * then each new one. Iterate it once. The iteration ends when the signal given to the call aborts (or close() is
 * called, or the loop breaks), when the gateway sends its close event — closeReason then says why — or when the
 * connection ends without one (closeReason stays undefined: reconnect if more results are wanted). A refusal before
 * the stream opens (401, 403, 404, 400, 429) is thrown from the first step as a KqlgateError.
 */
export class KqlgateStream<Row> implements AsyncIterable<KqlgateStreamResult<Row>> {
  /** Set when the gateway ended the stream with a close event. */
  closeReason: KqlgateCloseReason | undefined = undefined;
  private readonly controller = new AbortController();
  private started = false;

  constructor(
    private readonly open: (signal: AbortSignal) => Promise<Response>,
    signal?: AbortSignal,
  ) {
    if (signal?.aborted) {
      this.controller.abort(signal.reason);
    } else {
      signal?.addEventListener('abort', () => this.controller.abort(signal.reason), { once: true });
    }
  }

  /** Ends the stream and releases its connection. */
  close(): void {
    this.controller.abort();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<KqlgateStreamResult<Row>, void, undefined> {
    if (this.started) {
      throw new Error('a KqlgateStream can be iterated once; call the stream method again for a new stream');
    }
    this.started = true;
    const signal = this.controller.signal;
    try {
      let response: Response;
      try {
        response = await this.open(signal);
      } catch (error) {
        if (signal.aborted && !(error instanceof KqlgateError)) {
          return;
        }
        throw error;
      }
      if (!response.body) {
        throw new KqlgateError({
          status: response.status,
          code: 'CLIENT_STREAM_WITHOUT_BODY',
          title: 'the gateway opened the stream without a body',
        });
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      for (;;) {
        const chunk = await reader.read().catch((error: unknown) => {
          if (signal.aborted) {
            return undefined;
          }
          throw error;
        });
        if (chunk === undefined || chunk.done) {
          return;
        }
        for (const event of parser.push(decoder.decode(chunk.value as Uint8Array, { stream: true }))) {
          if (event.event === 'result') {
            const body = JSON.parse(event.data) as KqlgateResult<Row>;
            yield { id: event.id, data: body.data, meta: body.meta };
          } else if (event.event === 'close') {
            this.closeReason = JSON.parse(event.data) as KqlgateCloseReason;
            return;
          }
        }
      }
    } finally {
      // Also when the consumer leaves the loop early: the connection is not left open.
      this.controller.abort();
    }
  }
}

type QueryParameters = object;

/** HTTP to the gateway: URLs, credentials, problem bodies. One per client. */
class KqlgateTransport {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: KqlgateClientOptions) {
    if (options.token !== undefined && options.apiKey !== undefined) {
      throw new TypeError('KqlgateClient: give token or apiKey, not both');
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound: a browser's fetch called as a method of another object throws "Illegal invocation".
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async get<Row>(
    fn: string,
    parameters: QueryParameters,
    jsonParameters: readonly string[],
    options: KqlgateCallOptions,
  ): Promise<KqlgateResult<Row>> {
    const response = await this.send(fn, '', parameters, jsonParameters, 'application/json', options.signal);
    return (await response.json()) as KqlgateResult<Row>;
  }

  stream<Row>(
    fn: string,
    parameters: QueryParameters,
    jsonParameters: readonly string[],
    options: KqlgateCallOptions,
  ): KqlgateStream<Row> {
    return new KqlgateStream<Row>(
      (signal) => this.send(fn, '/stream', parameters, jsonParameters, 'text/event-stream', signal),
      options.signal,
    );
  }

  private async send(
    fn: string,
    suffix: string,
    parameters: QueryParameters,
    jsonParameters: readonly string[],
    accept: string,
    signal: AbortSignal | undefined,
  ): Promise<Response> {
    const path = '/api/v1/functions/' + encodeURIComponent(fn) + suffix;
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(parameters) as [string, unknown][]) {
      if (value !== undefined) {
        // Numbers and booleans as JSON writes them; a dynamic parameter is JSON even when it is a string.
        const text = typeof value === 'string' && !jsonParameters.includes(name) ? value : JSON.stringify(value);
        query.append(name, text);
      }
    }
    const search = query.toString();
    const response = await this.fetch(this.baseUrl + path + (search === '' ? '' : '?' + search), {
      method: 'GET',
      headers: await this.headers(accept),
      signal: signal ?? null,
    });
    if (!response.ok) {
      throw await problemError(response, path);
    }
    return response;
  }

  private async headers(accept: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept };
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    if (token !== undefined) {
      headers.authorization = 'Bearer ' + token;
    }
    if (this.options.apiKey !== undefined) {
      headers['x-api-key'] = this.options.apiKey;
    }
    return headers;
  }
}

/** The KqlgateError of a refused call: its problem body, or what the status says when a proxy answered instead. */
async function problemError(response: Response, path: string): Promise<KqlgateError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<KqlgateProblem> | null;
    if (body && typeof body.code === 'string' && typeof body.title === 'string') {
      return new KqlgateError({ ...body, status: response.status, code: body.code, title: body.title });
    }
  } catch {
    // Not JSON: described from the status below.
  }
  return new KqlgateError({
    status: response.status,
    code: 'HTTP_' + String(response.status),
    title: 'GET ' + path + ' answered ' + String(response.status) + ' ' + response.statusText + ' without a problem body',
  });
}
`;
