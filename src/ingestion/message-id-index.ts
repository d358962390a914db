/**
 * Answers "which of these message ids are already in the table?" — the check that makes redelivery and producer
 * resends idempotent (docs/ingestion.md). One KQL query per batch against the engine's query endpoint.
 */
import { Client } from 'azure-kusto-data';
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
    const response = await this.client.execute(database, existingIdsQuery(table, column, ids));
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

/** `T | where MessageId in ("a", "b") | distinct MessageId`, with names and values quoted for KQL. */
export function existingIdsQuery(table: string, column: string, ids: readonly string[]): string {
  const list = ids.map(kqlString).join(', ');
  return `${kqlName(table)} | where ${kqlName(column)} in (${list}) | distinct ${kqlName(column)}`;
}

export function kqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? name
    : `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

export function kqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}
