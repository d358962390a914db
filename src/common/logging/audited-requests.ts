/**
 * Requests that wrote an audit line of their own although their route is not `audited` as a whole: a GraphQL
 * request that made a function call (FunctionQueryService audits every call, whatever its outcome). A request
 * that made none — introspection, `{ __typename }`, a document refused before execution — is not in the set.
 * RequestLogController treats these requests as it treats an audited route's: a successful answer's request line
 * is written at `debug`, since the audit line already says who called what, when, the outcome and the duration.
 * A WeakSet, so a request leaves it with the request object.
 */
const audited = new WeakSet<object>();

/** Called before a call that writes its audit line, on the request (Fastify's) the call answers. */
export function markRequestAudited(request: object): void {
  audited.add(request);
}

export function isRequestAudited(request: object): boolean {
  return audited.has(request);
}
