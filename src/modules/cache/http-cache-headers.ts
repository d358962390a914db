import type { CacheOutcome } from './store-backed-result-cache.js';

/**
 * HTTP caching for REST responses of cached functions. Results depend on the caller (roles, bound claims), so
 * shared caches may only store them when the function is anonymous and has no bound parameters (`public`);
 * otherwise `private`. `max-age` is what is left of the TTL, so a browser or CDN never extends a result past the
 * point where the gateway itself would refresh it.
 */
export function cacheControlHeader(
  outcome: Pick<CacheOutcome<unknown>, 'ttlSeconds' | 'ageSeconds' | 'staleWhileRevalidateSeconds'>,
  shared: boolean,
): string {
  if (outcome.ttlSeconds <= 0) {
    return 'no-store';
  }
  const maxAge = Math.max(0, outcome.ttlSeconds - outcome.ageSeconds);
  const parts = [shared ? 'public' : 'private', `max-age=${maxAge}`];
  if (outcome.staleWhileRevalidateSeconds > 0) {
    parts.push(`stale-while-revalidate=${outcome.staleWhileRevalidateSeconds}`);
  }
  return parts.join(', ');
}

/**
 * The ETag of one representation: the cached data's hash plus the media type, since the JSON, CSV and NDJSON
 * renderings of the same rows are different bytes (RFC 9110 §8.8.3).
 */
export function representationEtag(dataEtag: string, mediaType: string | undefined): string {
  if (!dataEtag) {
    return '';
  }
  const type = (mediaType ?? 'application/json').split(';')[0].trim().toLowerCase();
  const suffix = type === 'application/json' || type === '' ? '' : `-${type.replace(/[^a-z0-9]+/g, '.')}`;
  return `${dataEtag.slice(0, -1)}${suffix}"`;
}

/** RFC 9110 §13.1.2 If-None-Match: weak comparison, lists, and `*`. */
export function isNotModified(ifNoneMatch: string | string[] | undefined, etag: string): boolean {
  if (!ifNoneMatch || !etag) {
    return false;
  }
  const header = Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch;
  if (header.trim() === '*') {
    return true;
  }
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((candidate) => opaque(candidate) === wanted);
}

/** What a call's answer says about its cache entry (FunctionQueryService's QueryResult.cache). */
export interface CachedAnswer {
  readonly etag?: string;
  readonly ttlSeconds: number;
  readonly ageSeconds: number;
  readonly staleWhileRevalidateSeconds: number;
  readonly shared: boolean;
}

/**
 * The caching headers of one REST GET answer in `mediaType`: `Cache-Control` always; `ETag` and `Age` when the
 * result is cached. The ETag is returned apart so the edge can compare it with `If-None-Match` (304).
 */
export function cacheHeaders(
  answer: CachedAnswer,
  mediaType: string,
): { headers: Record<string, string>; etag: string } {
  const headers: Record<string, string> = { 'Cache-Control': cacheControlHeader(answer, answer.shared) };
  const etag = representationEtag(answer.etag ?? '', mediaType);
  if (etag) {
    headers.ETag = etag;
    headers.Age = String(answer.ageSeconds);
  }
  return { headers, etag };
}
