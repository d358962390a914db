import pino from 'pino';

/**
 * What keeps request data out of the log. Function parameters travel in query strings and JSON bodies and may be
 * customer ids, and URLs of other services carry secrets in theirs (SAS tokens of blob URLs): no log line may hold
 * a query string, whoever writes it — our request and error lines, Fastify's own lines, Nest's exception lines, or
 * a library's error message that quotes the URL it was given. Bodies are never logged at all.
 */

/** A URL or absolute path followed by a query string: `/api/v1/functions/F?x=1`, `https://h/p?sig=…`. */
const URL_QUERY = /((?:[a-z][a-z0-9+.-]*:\/\/[^\s/?#"'<>]+)?\/[^\s?#"'<>]*)\?[^\s#"'<>]+/gi;

export const QUERY_OMITTED = '?(query omitted)';

/** The text with every query string of a URL or path in it replaced by `?(query omitted)`. */
export function withoutQueryStrings(text: string): string {
  return text.includes('?') ? text.replace(URL_QUERY, `$1${QUERY_OMITTED}`) : text;
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string | undefined): string {
  if (url === undefined) {
    return '';
  }
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * pino's `logMethod` hook of the root logger: the message and the string fields of the merged object of every line
 * pass through withoutQueryStrings (a line's own fields only — nested objects are our own, logged by name).
 */
export function privateLogMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: pino.LogFn): void {
  const scrubbed = args.map((arg: unknown) => {
    if (typeof arg === 'string') {
      return withoutQueryStrings(arg);
    }
    if (arg !== null && typeof arg === 'object' && !(arg instanceof Error)) {
      let copy: Record<string, unknown> | undefined;
      for (const [key, value] of Object.entries(arg)) {
        if (typeof value === 'string' && value.includes('?')) {
          const clean = withoutQueryStrings(value);
          if (clean !== value) {
            copy ??= { ...(arg as Record<string, unknown>) };
            copy[key] = clean;
          }
        }
      }
      return copy ?? arg;
    }
    return arg;
  });
  method.apply(this, scrubbed as Parameters<pino.LogFn>);
}

interface RequestLike {
  readonly method?: string;
  readonly url?: string;
  readonly routeOptions?: { readonly url?: string };
}

/**
 * Serializers of the root logger; they win over Fastify's defaults. `req`: method, route pattern and path only
 * (Fastify's would log `url` with the query string, e.g. on its default 5xx error line). `err`: pino's standard
 * serializer with query strings removed from the message and stack (a library's message may quote a URL).
 */
export const privateSerializers = {
  req(request: RequestLike): Record<string, unknown> {
    return {
      method: request.method,
      route: request.routeOptions?.url ?? 'unmatched',
      path: pathOf(request.url),
    };
  },
  err(error: unknown): unknown {
    const serialized: unknown = pino.stdSerializers.err(error as Error);
    if (serialized === null || typeof serialized !== 'object') {
      return serialized;
    }
    const fields = serialized as { message?: unknown; stack?: unknown };
    if (typeof fields.message === 'string') {
      fields.message = withoutQueryStrings(fields.message);
    }
    if (typeof fields.stack === 'string') {
      fields.stack = withoutQueryStrings(fields.stack);
    }
    return serialized;
  },
};

/** The options that make a pino logger private in the sense above (used by the root logger). */
export const privateLoggerOptions: Pick<pino.LoggerOptions, 'serializers' | 'hooks'> = {
  serializers: privateSerializers,
  hooks: { logMethod: privateLogMethod },
};
