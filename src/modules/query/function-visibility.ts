import type { EnvConfig } from '../../config/env.dto.js';
import { AuthError, AuthErrorCode } from '../auth/auth-error.js';
import { FunctionAuthorizationPolicy } from '../auth/function-authorization.policy.js';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import { functionInfo } from './function-query.service.js';
import { QueryError, QueryErrorCode } from './query-error.js';
import type { Principal } from '../auth/principal.js';

/**
 * `FUNCTION_VISIBILITY` (formerly `GRAPHQL_FIELD_VISIBILITY`), one setting for every surface:
 * - `all` — every caller sees every exposed function (REST errors, OpenAPI and the explorer, GraphQL schema) and is refused
 *   (401/403, naming what is missing) when calling one it may not use;
 * - `callable` — a caller sees only the functions it may call: its OpenAPI document (the explorer's list) and GraphQL schema
 *   hold only those, and calling any other answers exactly as calling a name that does not exist (404, same body),
 *   so a partner cannot list or probe what other roles can do.
 * No 404 lists function names, in either mode: it suggests the closest name the caller can see, if one is close.
 */
export type FunctionVisibility = EnvConfig['functionVisibility'];

const policy = new FunctionAuthorizationPolicy();

/**
 * What decides visibility: authorization reads only these three facts of a principal (see
 * FunctionAuthorizationPolicy), so callers with equal profiles see equal schemas and documents.
 */
export function accessProfileKey(principal: Principal): string {
  if (principal.anonymous) {
    return 'anonymous';
  }
  const roles = principal.roles.length > 1 ? [...principal.roles].sort() : principal.roles;
  const scopes = principal.scopes.length > 1 ? [...principal.scopes].sort() : principal.scopes;
  return `r:${roles.join(',')}|s:${scopes.join(',')}`;
}

/** The exposed functions `principal` passes authorization for — the same rule the call itself is checked with. */
export function callableFunctions(
  functions: readonly CatalogFunction[],
  principal: Principal,
): CatalogFunction[] {
  return functions.filter((fn) => {
    if (!fn.exposure) {
      return false;
    }
    try {
      policy.authorize(principal, functionInfo(fn));
      return true;
    } catch (error) {
      if (error instanceof AuthError) {
        return false;
      }
      throw error;
    }
  });
}

/** The exposed functions `principal` sees under `visibility`. */
export function visibleFunctions(
  functions: readonly CatalogFunction[],
  principal: Principal,
  visibility: FunctionVisibility,
): CatalogFunction[] {
  return visibility === 'all'
    ? functions.filter((fn) => fn.exposure)
    : callableFunctions(functions, principal);
}

/**
 * The error a caller gets for `name` once visibility is applied: a FunctionNotFound, and with `callable` a refusal
 * by the authorization rules too (the caller may not see that function), become the one 404 of an unknown name;
 * every other error is returned as it is (a caller that may see the function learns what is missing).
 */
export function visibleError(
  error: unknown,
  name: string,
  principal: Principal,
  functions: readonly CatalogFunction[],
  visibility: FunctionVisibility,
): unknown {
  const hidden =
    visibility === 'callable' &&
    error instanceof AuthError &&
    (error.code === AuthErrorCode.Unauthenticated || error.code === AuthErrorCode.Forbidden);
  const unknown = error instanceof QueryError && error.code === QueryErrorCode.FunctionNotFound;
  return hidden || unknown
    ? functionNotFound(name, visibleFunctions(functions, principal, visibility))
    : error;
}

/**
 * The 404 of a name the caller cannot call: the same for a name that does not exist and one it may not see, since
 * it depends only on the name and on what the caller sees. It lists nothing; it suggests the closest visible name
 * (a slip of case or of up to two letters) and where the caller's functions are listed.
 */
export function functionNotFound(name: string, visible: readonly CatalogFunction[]): QueryError {
  const suggestion = closestName(
    name,
    visible.map((fn) => fn.name),
  );
  return new QueryError(
    QueryErrorCode.FunctionNotFound,
    `no function named ${name}${suggestion ? `; did you mean ${suggestion}?` : ''}` +
      '; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
    { function: name },
  );
}

function closestName(name: string, names: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase(), 2);
    if (distance <= 2 && (!best || distance < best.distance)) {
      best = { name: candidate, distance };
    }
  }
  return best?.name;
}

/** Levenshtein distance, or `limit + 1` as soon as it is known to exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) {
    return limit + 1;
  }
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > limit) {
      return limit + 1;
    }
    previous = current;
  }
  return previous[b.length];
}
