import { AuthError, AuthErrorCode } from './auth-error.js';
import type { FunctionAccessRules } from './function-access.js';
import type { Principal } from './principal.js';

/**
 * Decides whether a principal may call a function: anonymous callers only where the function allows it (401
 * otherwise, so the client knows credentials would help); authenticated callers need one of the declared roles or
 * scopes (403 otherwise). Roles and scopes are alternatives because Entra ID puts application permissions in
 * `roles` (daemon apps) and delegated permissions in `scp` (signed-in users) — a function usually accepts both.
 */
export class FunctionAuthorizationPolicy {
  authorize(principal: Principal, fn: FunctionAccessRules): void {
    const needsCaller = !fn.anonymous || Object.keys(fn.boundParameters).length > 0;
    if (principal.anonymous) {
      if (needsCaller) {
        throw new AuthError(AuthErrorCode.Unauthenticated, `function ${fn.name} requires authentication`, {
          function: fn.name,
        });
      }
      return;
    }
    if (fn.roles.length === 0 && fn.scopes.length === 0) {
      return;
    }
    const hasRole = fn.roles.some((role) => principal.roles.includes(role));
    const hasScope = fn.scopes.some((scope) => principal.scopes.includes(scope));
    if (!hasRole && !hasScope) {
      const wanted = [...fn.roles.map((r) => `role ${r}`), ...fn.scopes.map((s) => `scope ${s}`)].join(', ');
      throw new AuthError(AuthErrorCode.Forbidden, `function ${fn.name} requires one of: ${wanted}`, {
        function: fn.name,
        requiredRoles: fn.roles,
        requiredScopes: fn.scopes,
      });
    }
  }

  /**
   * Fills claim-bound parameters from the principal's claims. A value supplied by the request for such a parameter
   * is rejected rather than overwritten, so a client bug or an attempt to read another tenant is visible.
   */
  bindClaims(
    principal: Principal,
    fn: FunctionAccessRules,
    params: Readonly<Record<string, unknown>>,
  ): { params: Record<string, unknown>; bound: Record<string, string | number | boolean> } {
    const bound: Record<string, string | number | boolean> = {};
    for (const [parameter, claim] of Object.entries(fn.boundParameters)) {
      if (params[parameter] !== undefined) {
        throw new AuthError(
          AuthErrorCode.BoundParameterSupplied,
          `parameter ${parameter} of ${fn.name} is taken from the caller's "${claim}" claim and must not be passed`,
          { function: fn.name, parameter, claim },
        );
      }
      const value = principal.claims[claim];
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw new AuthError(
          AuthErrorCode.BoundClaimMissing,
          `function ${fn.name} needs a "${claim}" claim (string or number) in the caller's credential for parameter ${parameter}`,
          { function: fn.name, parameter, claim },
        );
      }
      bound[parameter] = value;
    }
    return { params: { ...params, ...bound }, bound };
  }
}
