import { Client, ClientRequestProperties } from 'azure-kusto-data';
import { kustoConnection, type KustoAuth } from '../../common/azure/kusto-connection.js';

/** One result table as it came off the wire: Kusto column types, raw JSON cells (no SDK conversions). */
export interface RawResultTable {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export interface KustoQueryOptions {
  /** Values keyed by the names `declare query_parameters(…)` declares (see parameter-binder.ts for encoding). */
  parameters?: Record<string, string | number | boolean>;
  /** Sent as the `servertimeout` option; the client waits this long plus the SDK's 30 s grace, or clientTimeoutMs. */
  timeoutMs?: number;
  /** How long the client waits for the answer before giving up (the SDK then rejects with ECONNABORTED). */
  clientTimeoutMs?: number;
  /** The request's `x-ms-client-request-id`: what `.cancel query` names to stop it. */
  clientRequestId?: string;
}

/** A KQL string literal: `"` and `\` escaped, so any id or reason text stays one literal. */
function kqlString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ')}"`;
}

/**
 * The gateway's only way to the engine: azure-kusto-data against ADX (Entra ID), a Kustainer or the embedded engine
 * (no credentials), as `auth` says (KUSTO_AUTH, see kusto-connection.ts). Queries go to `/v2/rest/query`, commands
 * to `/v1/rest/mgmt`.
 */
export class KustoQueryClient {
  private readonly client: Client;

  constructor(
    readonly clusterUrl: string,
    readonly database: string,
    auth: KustoAuth = 'auto',
  ) {
    this.client = new Client(kustoConnection(clusterUrl, auth));
  }

  async query(csl: string, options: KustoQueryOptions = {}): Promise<RawResultTable> {
    const properties = new ClientRequestProperties();
    for (const [name, value] of Object.entries(options.parameters ?? {})) {
      properties.setParameter(name, value);
    }
    if (options.timeoutMs !== undefined) {
      properties.setTimeout(options.timeoutMs);
    }
    if (options.clientTimeoutMs !== undefined) {
      properties.setClientTimeout(options.clientTimeoutMs);
    }
    if (options.clientRequestId) {
      properties.clientRequestId = options.clientRequestId;
    }
    const response = await this.client.executeQuery(this.database, csl, properties);
    const primary = response.primaryResults[0];
    if (!primary) {
      return { columns: [], rows: [] };
    }
    return {
      columns: primary.columns.map((c) => ({ name: c.name ?? '', type: (c.type ?? 'string').toLowerCase() })),
      rows: primary._rows as unknown[][],
    };
  }

  /** Runs a management command; returns its first table. */
  async command(csl: string): Promise<RawResultTable> {
    const response = await this.client.executeMgmt(this.database, csl);
    const table = response.primaryResults[0];
    if (!table) {
      return { columns: [], rows: [] };
    }
    return {
      columns: table.columns.map((c) => ({ name: c.name ?? '', type: (c.type ?? 'string').toLowerCase() })),
      rows: table._rows as unknown[][],
    };
  }

  /**
   * Asks the engine to stop a running query: `.cancel query "<ClientRequestId>" with (reason = "…")`, ADX's
   * management command (best effort: a query that already ended is "Cancel failed"). Resolves whether it stopped one.
   */
  async cancel(clientRequestId: string, reason: string): Promise<boolean> {
    const result = await this.command(
      `.cancel query ${kqlString(clientRequestId)} with (reason = ${kqlString(reason)})`,
    );
    const state = result.columns.findIndex((c) => c.name === 'CancellationState');
    return state >= 0 && result.rows.some((row) => row[state] === 'Cancelled successfully');
  }

  close(): void {
    this.client.close();
  }
}
