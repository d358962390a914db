import type { EnvConfig } from '../../config/env.dto.js';
import { AuthError } from '../auth/auth-error.js';
import { FunctionAuthorizationPolicy } from '../auth/function-authorization.policy.js';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import { functionInfo } from '../query/function-query.service.js';
import type { Principal } from '../query/query-hooks.js';

/**
 * `GRAPHQL_FIELD_VISIBILITY`: `all` (default) — every caller sees every exposed function in the schema and is
 * refused (401/403) when calling one it may not use; `callable` — a caller's schema (introspection, the SDL tools
 * derive from it, validation) holds only the functions that caller may call, so partners cannot list what other
 * roles can do. A hidden field then fails like any unknown field (`Cannot query field …`).
 */
export type GraphqlFieldVisibility = EnvConfig['GRAPHQL_FIELD_VISIBILITY'];

const policy = new FunctionAuthorizationPolicy();

/**
 * What decides visibility: authorization reads only these three facts of a principal (see
 * FunctionAuthorizationPolicy), so callers with equal profiles see equal schemas.
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
