/** The KustoQueryClient instance (one per app, bound to KUSTO_CLUSTER_URL / the embedded engine and KUSTO_DATABASE). */
export const KUSTO_QUERY_CLIENT = Symbol('kqlgate:KustoQueryClient');
