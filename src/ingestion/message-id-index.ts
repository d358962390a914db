/**
 * Answers "which of these message ids are already in the table?" — the check that makes redelivery and producer
 * resends idempotent (docs/ingestion.md). One KQL query per batch against the engine's query endpoint, the ids bound
 * as a `dynamic` query parameter: the text stays the same for every batch (the engine's compiled-query cache and
 * ADX's query plan cache hit) and no id is ever spliced into query text.
 */
import { Client, ClientRequestProperties } from 'azure-kusto-data';
import { kustoConnection, type KustoAuth } from '../common/azure/kusto-connection.js';

export interface MessageIdIndex {
  existing(database: string, table: string, column: string, ids: readonly string[]): Promise<Set<string>>;
  /** The column names of each table that exists, for the start-up check of the id column (absent: no such table). */
  columnsOf(database: string, tables: readonly string[]): Promise<Map<string, string[]>>;
  close(): Promise<void>;
}

export class KustoMessageIdIndex implements MessageIdIndex {
  private readonly client: Client;

  constructor(clusterUrl: string, auth: KustoAuth = 'auto') {
    this.client = new Client(kustoConnection(clusterUrl, auth));
  }

  async existing(
    database: string,
    table: string,
    column: string,
    ids: readonly string[],
  ): Promise<Set<string>> {
    if (ids.length === 0) {
      return new Set();
    }
    const properties = new ClientRequestProperties();
    properties.setParameter(IDS_PARAMETER, idsParameterValue(ids));
    const response = await this.client.executeQuery(database, existingIdsQuery(table, column), properties);
    const found = new Set<string>();
    const primary = response.primaryResults[0];
    if (primary) {
      for (const row of primary.rows()) {
        const value = row.toJSON<Record<string, unknown>>()[column];
        if (typeof value === 'string') {
          found.add(value);
        }
      }
    }
    return found;
  }

  async columnsOf(database: string, tables: readonly string[]): Promise<Map<string, string[]>> {
    const existing = new Set<string>();
    const listed = await this.client.execute(database, '.show tables');
    for (const row of listed.primaryResults[0]?.rows() ?? []) {
      existing.add(String(row.toJSON<{ TableName: string }>().TableName));
    }
    const columns = new Map<string, string[]>();
    for (const table of new Set(tables)) {
      if (!existing.has(table)) {
        continue;
      }
      const response = await this.client.execute(database, `.show table ${kqlName(table)} schema as json`);
      const row = response.primaryResults[0]?.rows().next();
      const schema = row && !row.done ? row.value.toJSON<{ Schema: string }>().Schema : undefined;
      const parsed = schema ? (JSON.parse(schema) as { OrderedColumns?: Array<{ Name: string }> }) : {};
      columns.set(
        table,
        (parsed.OrderedColumns ?? []).map((c) => c.Name),
      );
    }
    return columns;
  }

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}

const IDS_PARAMETER = 'ids';

/** `declare query_parameters(ids:dynamic); T | where MessageId in (ids) | distinct MessageId`. */
export function existingIdsQuery(table: string, column: string): string {
  const name = kqlName(column);
  return `declare query_parameters(${IDS_PARAMETER}:dynamic); ${kqlName(table)} | where ${name} in (${IDS_PARAMETER}) | distinct ${name}`;
}

/** The ids as a Kusto `dynamic` literal, the wire form of a dynamic query parameter. */
export function idsParameterValue(ids: readonly string[]): string {
  return `dynamic(${JSON.stringify(ids)})`;
}

export function kqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? name
    : `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}
