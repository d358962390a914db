/**
 * Answers "which of these message ids are already in the table?" — the check that makes redelivery and producer
 * resends idempotent (docs/ingestion.md). One KQL query per batch against the engine's query endpoint.
 */
import { Client, ClientRequestProperties } from 'azure-kusto-data';
import { kustoConnection } from './kusto-connection.js';

export interface MessageIdIndex {
  existing(database: string, table: string, column: string, ids: readonly string[]): Promise<Set<string>>;
  close(): Promise<void>;
}

export class KustoMessageIdIndex implements MessageIdIndex {
  private readonly client: Client;

  constructor(clusterUrl: string) {
    this.client = new Client(kustoConnection(clusterUrl));
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
    // The ids travel as one dynamic query parameter: the query text stays the same for every batch (the engine
    // parses and plans it once), and no id is ever spliced into KQL.
    const properties = new ClientRequestProperties();
    properties.setParameter('ids', `dynamic(${JSON.stringify(ids)})`);
    const response = await this.client.execute(database, existingIdsQuery(table, column), properties);
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

  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }
}

/** `declare query_parameters(ids:dynamic); T | where MessageId in (ids) | distinct MessageId`. */
export function existingIdsQuery(table: string, column: string): string {
  const name = kqlName(column);
  return `declare query_parameters(ids:dynamic); ${kqlName(table)} | where ${name} in (ids) | distinct ${name}`;
}

export function kqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? name
    : `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}
