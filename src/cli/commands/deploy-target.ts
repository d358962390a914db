import { kustoUsesEntraId, type KustoAuth } from '../../common/azure/kusto-connection.js';
import type { EnvConfig } from '../../config/env.dto.js';
import { ConfigValidationError, loadConfig } from '../../config/load-config.js';

/** Where `kqlgate deploy` applies kql/, and how it authenticates there. */
export interface DeployTarget {
  cluster: string;
  database: string;
  auth: KustoAuth;
  /** Says what was used and where each value came from, e.g. `cluster https://… (KUSTO_CLUSTER_URL), …`. */
  description: string;
}

/** The target is incomplete, or a variable it reads is bad: `problems` holds one actionable line each. */
export class DeployTargetError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'DeployTargetError';
  }
}

/**
 * `--cluster` / `--database` when given, else KUSTO_CLUSTER_URL / KUSTO_DATABASE from the environment — the
 * variables the gateway itself reads, so a pipeline or a compose service that runs the gateway deploys with the
 * same settings. KUSTO_AUTH says how to authenticate either way. Only the variables a flag leaves to read are
 * checked, with the gateway's own rules and messages; KUSTO_DATABASE's default (`analytics`) is not used: a deploy
 * names its database.
 */
export function resolveDeployTarget(
  flags: { cluster?: string; database?: string },
  env: NodeJS.ProcessEnv,
): DeployTarget {
  const read: NodeJS.ProcessEnv = { KUSTO_AUTH: env.KUSTO_AUTH };
  if (flags.cluster === undefined) {
    read.KUSTO_CLUSTER_URL = env.KUSTO_CLUSTER_URL;
  }
  if (flags.database === undefined) {
    read.KUSTO_DATABASE = env.KUSTO_DATABASE;
  }
  let config: EnvConfig;
  try {
    config = loadConfig(read);
  } catch (error) {
    throw error instanceof ConfigValidationError ? new DeployTargetError(error.problems) : error;
  }
  const cluster = flags.cluster ?? config.KUSTO_CLUSTER_URL;
  const database = flags.database ?? (read.KUSTO_DATABASE ? config.KUSTO_DATABASE : undefined);
  const problems: string[] = [];
  if (cluster === undefined) {
    problems.push(
      'no cluster: pass --cluster <url> or set KUSTO_CLUSTER_URL (e.g. https://mycluster.westeurope.kusto.windows.net)',
    );
  }
  if (database === undefined) {
    problems.push('no database: pass --database <name> or set KUSTO_DATABASE');
  }
  if (cluster === undefined || database === undefined) {
    throw new DeployTargetError(problems);
  }
  const auth = config.KUSTO_AUTH;
  const credentials = kustoUsesEntraId(cluster, auth)
    ? 'Entra ID (DefaultAzureCredential)'
    : 'no credentials';
  return {
    cluster,
    database,
    auth,
    description:
      `cluster ${cluster} (${flags.cluster === undefined ? 'KUSTO_CLUSTER_URL' : '--cluster'}), ` +
      `database ${database} (${flags.database === undefined ? 'KUSTO_DATABASE' : '--database'}), ` +
      `${credentials} (KUSTO_AUTH=${auth})`,
  };
}
