import { hash } from 'node:crypto';
import type { QueryCacheLookup } from '../query/query-hooks.js';

/**
 * JSON with object keys sorted at every level, so `{a:1,b:2}` and `{b:2,a:1}` are one key; `undefined`
 * members are dropped (an omitted optional parameter and an explicit undefined are the same call) and
 * BigInts keep their digits.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') {
      return `"${value.toString()}n"`;
    }
    if (value === undefined) {
      return 'null';
    }
    return JSON.stringify(value);
  }
  if (value instanceof Date) {
    return JSON.stringify(value.toISOString());
  }
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  // Runs on every cached call (the key): one sorted pass, no intermediate entry arrays.
  const record = value as Record<string, unknown>;
  const names = Object.keys(record).sort();
  let json = '{';
  for (const name of names) {
    const member = record[name];
    if (member === undefined) {
      continue;
    }
    json += `${json.length > 1 ? ',' : ''}${JSON.stringify(name)}:${canonicalJson(member)}`;
  }
  return `${json}}`;
}

/**
 * `kqlgate:r:<function>:<sha256 of params + bound claims>:<table generations>`. The function name stays readable
 * for operators; the generations suffix is what makes ingestion invalidate: a committed batch bumps its table's
 * generation, so the next lookup computes a new key and misses, while entries of other tables are untouched.
 */
export function resultCacheKey(lookup: QueryCacheLookup, generations: string): string {
  const digest = hash('sha256', canonicalJson({ p: lookup.params, c: lookup.boundClaims }), 'base64url');
  return `kqlgate:r:${lookup.functionName}:${digest}:${generations}`;
}

/** A short stable hash of parameters for audit lines, so logs never carry parameter values. */
export function paramsHash(params: Readonly<Record<string, unknown>>): string {
  return hash('sha256', canonicalJson(params), 'base64url').slice(0, 16);
}
