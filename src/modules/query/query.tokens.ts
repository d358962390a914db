/** The KustoQueryClient instance (one per app, bound to KUSTO_CLUSTER_URL / the embedded engine and KUSTO_DATABASE). */
export const KUSTO_QUERY_CLIENT = Symbol('kqlgate:KustoQueryClient');

/**
 * The commands of kql/ that npm start deployed to the embedded engine before the application started (resolves
 * undefined when that deploy failed); unbound elsewhere. See EmbeddedDeployment.
 */
export const DEPLOYED_AT_START = Symbol('kqlgate:DeployedAtStart');
