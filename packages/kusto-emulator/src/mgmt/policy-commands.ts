/**
 * `.alter[-merge]`, `.delete` and `.show` of the JSON policies of tables and databases (streaming ingestion,
 * ingestion batching, retention, merge, sharding, partitioning, caching). They are stored with the database's
 * catalog, so they survive restarts, and shown as ADX shows them; the engine itself does not act on them (it
 * ingests streaming data whatever the streaming policy says, and has no batching, retention or merge to tune).
 */
import {
  parseTimespanTicks,
  type PolicyEntity,
  type PolicyKind,
  type PolicyValue,
} from '@kqlgate/kql-language';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import type { ResultTable } from '../protocol/result-table.js';
import type { PolicyObject } from '../storage/catalog-types.js';
import type { DatabaseRegistry } from '../storage/database-registry.js';
import { policyKey, type KustoDatabase } from '../storage/kusto-database.js';
import { policyResult } from './command-results.js';

const POLICY_NAMES: Record<PolicyKind, string> = {
  streamingingestion: 'StreamingIngestionPolicy',
  ingestionbatching: 'IngestionBatchingPolicy',
  retention: 'RetentionPolicy',
  merge: 'MergePolicy',
  sharding: 'ShardingPolicy',
  partitioning: 'PartitioningPolicy',
  caching: 'CachingPolicy',
};

/** Properties ADX accepts in the policies whose content the engine checks, with a check of each value. */
const POLICY_PROPERTIES: Partial<Record<PolicyKind, Record<string, (value: unknown) => boolean>>> = {
  streamingingestion: {
    IsEnabled: (v) => typeof v === 'boolean',
    HintAllocatedRate: (v) => v === null || (typeof v === 'number' && v > 0),
  },
  ingestionbatching: {
    MaximumBatchingTimeSpan: (v) => typeof v === 'string' && (parseTimespanTicks(v) ?? -1) > 0,
    MaximumNumberOfItems: (v) => Number.isInteger(v) && (v as number) > 0,
    MaximumRawDataSizeMB: (v) => Number.isInteger(v) && (v as number) > 0,
  },
};

/** The target of a policy command, resolved: the database, and the table ('' for the database itself). */
interface PolicyTarget {
  database: KustoDatabase;
  table: string;
}

export class PolicyCommands {
  constructor(private readonly registry: DatabaseRegistry) {}

  async alter(
    entity: PolicyEntity,
    kind: PolicyKind,
    value: PolicyValue,
    merge: boolean,
    currentDatabase: string,
  ): Promise<ResultTable> {
    const target = await this.target(entity, currentDatabase);
    const existing = target.database.catalog.policies.get(policyKey(target.table, kind));
    const given =
      value.kind === 'enabled'
        ? { IsEnabled: value.enabled, HintAllocatedRate: existing?.HintAllocatedRate ?? null }
        : parsePolicy(kind, value.text, entity);
    const merged = given && (merge || value.kind === 'enabled') ? { ...existing, ...given } : given;
    await target.database.write((tx) =>
      merged ? tx.putPolicy(target.table, kind, merged) : tx.deletePolicy(target.table, kind),
    );
    return this.result(target, kind);
  }

  async delete(entity: PolicyEntity, kind: PolicyKind, currentDatabase: string): Promise<ResultTable> {
    const target = await this.target(entity, currentDatabase);
    await target.database.write((tx) => tx.deletePolicy(target.table, kind));
    return this.result(target, kind);
  }

  async show(entity: PolicyEntity, kind: PolicyKind, currentDatabase: string): Promise<ResultTable> {
    return this.result(await this.target(entity, currentDatabase), kind);
  }

  private async target(entity: PolicyEntity, currentDatabase: string): Promise<PolicyTarget> {
    if (entity.kind === 'database') {
      return { database: await this.registry.get(entity.name), table: '' };
    }
    const database = await this.registry.get(entity.database ?? currentDatabase);
    return { database, table: database.table(entity.name).name };
  }

  private result({ database, table }: PolicyTarget, kind: PolicyKind): ResultTable {
    return policyResult({
      policyName: POLICY_NAMES[kind],
      entityName: table === '' ? `[${database.name}]` : `[${database.name}].[${table}]`,
      policy: database.catalog.policies.get(policyKey(table, kind)),
      // A database policy applies to its tables, which ADX lists as the policy's child entities.
      childEntities: table === '' ? JSON.stringify([...database.catalog.tables.keys()]) : '',
      entityType: table === '' ? 'Database' : 'Table',
    });
  }
}

/** The policy object of a JSON literal; null (`'null'`) removes the policy, as in ADX. */
function parsePolicy(kind: PolicyKind, text: string, entity: PolicyEntity): PolicyObject | null {
  const where = `the ${kind} policy of ${entity.kind} '${entity.name}'`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw KustoEngineError.semantic(`${capitalize(where)} is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null) {
    return null;
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw KustoEngineError.semantic(`${capitalize(where)} must be a JSON object, e.g. '{"…": …}'.`);
  }
  const policy = parsed as PolicyObject;
  const checks = POLICY_PROPERTIES[kind];
  for (const [name, value] of Object.entries(checks ? policy : {})) {
    const check = checks?.[name];
    if (!check) {
      throw KustoEngineError.semantic(
        `${capitalize(where)} has an unknown property '${name}'; it takes ${Object.keys(checks ?? {}).join(', ')}.`,
      );
    }
    if (!check(value)) {
      throw KustoEngineError.semantic(
        `${capitalize(where)} has an invalid ${name}: ${JSON.stringify(value)}.`,
      );
    }
  }
  return policy;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
