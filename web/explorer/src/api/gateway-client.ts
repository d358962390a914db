import { credentialHeaders } from './credential-store.js';
import type { FunctionResult, Problem } from './explorer-function.js';
import type { OpenApiDocument } from './openapi-functions.js';
import { parseServerSentEvents } from './server-sent-events.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; problem: Problem };

/** The function's path with the form's values as query parameters (empty fields are left out: defaults apply). */
export function functionPath(name: string, values: Readonly<Record<string, string>>, suffix = ''): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== '') {
      query.append(key, value);
    }
  }
  const search = query.toString();
  return `/api/v1/functions/${encodeURIComponent(name)}${suffix}${search === '' ? '' : `?${search}`}`;
}

/** A refusal's problem+json as the API sent it; a body of another kind becomes its status line. */
async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.title === 'string') {
      return { ...body, title: body.title, status: response.status };
    }
  } catch {
    // Not JSON: fall through to the status line.
  }
  return { status: response.status, title: response.statusText || `HTTP ${response.status}`, detail: text };
}

async function getJson<T>(path: string, credential: string): Promise<Outcome<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      headers: { accept: 'application/json', ...credentialHeaders(credential) },
    });
  } catch (error) {
    return {
      ok: false,
      problem: { status: 0, title: 'The gateway could not be reached', detail: String(error) },
    };
  }
  if (!response.ok) {
    return { ok: false, problem: await problemOf(response) };
  }
  return { ok: true, value: (await response.json()) as T };
}

/** The caller's OpenAPI document: with FUNCTION_VISIBILITY=callable it lists only what the credential may call. */
export function loadOpenApi(credential: string): Promise<Outcome<OpenApiDocument>> {
  return getJson<OpenApiDocument>('/api/v1/openapi.json', credential);
}

export function callFunction(
  name: string,
  values: Readonly<Record<string, string>>,
  credential: string,
): Promise<Outcome<FunctionResult>> {
  return getJson<FunctionResult>(functionPath(name, values), credential);
}

export interface StreamHandlers {
  onResult(result: FunctionResult): void;
  /** The stream ended: refused before it opened, closed by the server with a reason, or the connection broke. */
  onEnd(problem: Problem | undefined): void;
}

/**
 * Live results over the function's SSE stream. Read with fetch rather than EventSource, so the credential goes in
 * a header (an API key too, and no token in the URL) and a refusal shows its problem+json like any call.
 */
export function streamFunction(
  name: string,
  values: Readonly<Record<string, string>>,
  credential: string,
  handlers: StreamHandlers,
): AbortController {
  const controller = new AbortController();
  void (async () => {
    let response: Response;
    try {
      response = await fetch(functionPath(name, values, '/stream'), {
        headers: { accept: 'text/event-stream', ...credentialHeaders(credential) },
        signal: controller.signal,
      });
    } catch (error) {
      handlers.onEnd(
        controller.signal.aborted
          ? undefined
          : { status: 0, title: 'The stream failed', detail: String(error) },
      );
      return;
    }
    if (!response.ok || !response.body) {
      handlers.onEnd(await problemOf(response));
      return;
    }
    try {
      for await (const event of parseServerSentEvents(response.body)) {
        if (event.event === 'result') {
          handlers.onResult(JSON.parse(event.data) as FunctionResult);
        } else if (event.event === 'close') {
          const reason = JSON.parse(event.data) as { code: string; reason: string };
          handlers.onEnd({
            status: 0,
            code: reason.code,
            title: 'The live stream ended',
            detail: reason.reason,
          });
          return;
        }
      }
      handlers.onEnd(undefined);
    } catch (error) {
      handlers.onEnd(
        controller.signal.aborted
          ? undefined
          : { status: 0, title: 'The stream broke', detail: String(error) },
      );
    }
  })();
  return controller;
}
