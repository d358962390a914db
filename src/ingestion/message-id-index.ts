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

/**
 * `T | where MessageId in (dynamic(["a","b"])) | distinct MessageId`. The ids are one dynamic literal (each element
 * escaped as a KQL string). A `dynamic` query parameter would keep the text constant, but the embedded engine
 * currently answers `in (param)` with no rows — which would silently disable dedup — so the literal it is.
 */
export function existingIdsQuery(table: string, column: string, ids: readonly string[]): string {
  const name = kqlName(column);
  return `${kqlName(table)} | where ${name} in (dynamic([${ids.map(kqlString).join(',')}])) | distinct ${name}`;
}

export function kqlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? name
    : `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/** A KQL double-quoted string literal. */
export function kqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}
