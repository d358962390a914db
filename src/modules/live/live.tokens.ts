/** The TableCommitBus of this process (Redis pub/sub with REDIS_URL, else in-process). */
export const TABLE_COMMIT_BUS = Symbol('kqlgate:TableCommitBus');
/** The TableLineage of kql/tables, deciding which commits concern which functions. */
export const LIVE_LINEAGE = Symbol('kqlgate:LiveLineage');
