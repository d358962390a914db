/**
 * What authorization, claim binding, caching and rate limiting need to know about a function — the security
 * part of its exposure settings, as the catalog declares them next to the KQL.
 */
export interface FunctionAccessRules {
  readonly name: string;
  /** Callers without credentials may call it. */
  readonly anonymous: boolean;
  /** The caller needs at least one of these roles or one of `scopes` (none of either → any authenticated caller). */
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Parameter name → claim name (e.g. `tenantId` ← `tid`): the value always comes from the caller's credential. */
  readonly boundParameters: Readonly<Record<string, string>>;
}
