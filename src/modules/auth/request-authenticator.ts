import type { Principal } from './principal.js';

/** The request headers that may carry a credential. */
export interface CredentialHeaders {
  readonly authorization?: string | string[];
  readonly 'x-api-key'?: string | string[];
}

/**
 * The one authentication step of every edge (REST, GraphQL, SSE, graphql-ws, MCP, the per-caller OpenAPI
 * document): a request's credentials → a Principal, or an AuthError carrying its status and challenge. Bound to
 * the REQUEST_AUTHENTICATOR token (query-hooks.ts): by the auth module (AuditedRequestAuthenticator over a
 * CredentialAuthenticator), or anonymous when no auth module is loaded.
 */
export interface RequestAuthenticator {
  /** `requestId` joins the audit line of a refused caller to the request's log line. */
  authenticate(headers: CredentialHeaders, clientAddress?: string, requestId?: string): Promise<Principal>;
}
