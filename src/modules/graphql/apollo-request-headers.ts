import { HeaderMap } from '@apollo/server';

/**
 * The request headers Apollo reads: content negotiation (`content-type`, `accept`) and its CSRF prevention
 * (`apollo-require-preflight`, `x-apollo-operation-name`). Copying only these instead of every header (tokens,
 * cookies, tracing headers…) saves a map of ~10 entries per request; credentials are read by the controller.
 */
const APOLLO_REQUEST_HEADERS = [
  'content-type',
  'accept',
  'apollo-require-preflight',
  'x-apollo-operation-name',
];

/**
 * `Accept` values that negotiate to what no `Accept` gives (`application/json; charset=utf-8`): leaving them out
 * spares Apollo a content negotiation per request (fetch() and curl send `*\/*`).
 */
const PLAIN_JSON_ACCEPT = new Set(['*/*', 'application/json']);

export function apolloHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): HeaderMap {
  const map = new HeaderMap();
  for (const name of APOLLO_REQUEST_HEADERS) {
    const raw = headers[name];
    if (raw === undefined) {
      continue;
    }
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (name === 'accept' && PLAIN_JSON_ACCEPT.has(value)) {
      continue;
    }
    map.set(name, value);
  }
  return map;
}
