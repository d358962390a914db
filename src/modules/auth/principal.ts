/**
 * Who is calling. Built by the authenticator from a bearer JWT, an API key, or nothing (anonymous), and passed
 * unchanged through `FunctionQueryService.execute(principal, fn, params)` so that authorization, claim-bound
 * parameters, cache keys and rate limits all see the same identity.
 */
export interface Principal {
  /** Stable identity used for rate limits and audit: `oid`/`sub` of a token, `apikey:<id>`, or `anonymous:<ip>`. */
  readonly id: string;
  readonly roles: readonly string[];
  /** Delegated scopes (`scp` of Entra ID, `scope` of OAuth2). */
  readonly scopes: readonly string[];
  /** Every claim of the token, or the bound claims of an API key; claim-bound parameters read from here. */
  readonly claims: Readonly<Record<string, unknown>>;
  readonly anonymous: boolean;
  readonly method?: 'jwt' | 'api-key' | 'anonymous';
}

export function anonymousPrincipal(clientAddress?: string): Principal {
  return Object.freeze({
    id: clientAddress ? `anonymous:${clientAddress}` : 'anonymous',
    roles: [],
    scopes: [],
    claims: {},
    anonymous: true,
    method: 'anonymous',
  });
}
