/**
 * The two commands of ADX's data-management endpoint that azure-kusto-ingest's queued client sends (its
 * ResourceManager, against database `NetDefaultDB`): `.get ingestion resources` and `.get kusto identity token`.
 *
 * Where they are served: the SDK derives the DM endpoint from the engine's URL by adding `ingest-` to the host,
 * except for loopback addresses, `localhost` and IP literals, which it leaves as they are — so for the embedded
 * engine the DM endpoint *is* the engine's URL, and its /v1/rest/mgmt answers these commands too.
 */
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { resultTable, type ResultTable } from '../protocol/result-table.js';
import type { IngestionStorage } from './ingestion-storage.js';

const GET_INGESTION_RESOURCES = /^\.get\s+ingestion\s+resources\b/i;
const GET_IDENTITY_TOKEN = /^\.get\s+kusto\s+identity\s+token\s*$/i;

/**
 * Authorizes queued ingestions in ADX (the DM checks it against the caller); the embedded engine checks no
 * identity, so one fixed, recognizable value serves every client.
 */
const AUTHORIZATION_CONTEXT = 'kqlgate-embedded-engine';

/** True for the commands of the data-management endpoint, whether or not it is enabled. */
export function isDataManagementCommand(csl: string): boolean {
  return GET_INGESTION_RESOURCES.test(csl) || GET_IDENTITY_TOKEN.test(csl);
}

export function executeDataManagementCommand(
  csl: string,
  storage: IngestionStorage | undefined,
): ResultTable {
  if (!storage) {
    throw KustoEngineError.notSupported(
      `'${csl}' is a command of the data-management (queued ingestion) endpoint, which this engine runs without; start it with data management enabled (kusto-emulator --data-management, or dataManagement in startKustoEmulator) or use streaming ingestion.`,
    );
  }
  if (GET_IDENTITY_TOKEN.test(csl)) {
    return resultTable('Table_0', [['AuthorizationContext', 'string']], [[AUTHORIZATION_CONTEXT]]);
  }
  return resultTable(
    'Table_0',
    [
      ['ResourceTypeName', 'string'],
      ['StorageRoot', 'string'],
    ],
    storage.resources().map((r) => [r.ResourceTypeName, r.StorageRoot]),
  );
}
