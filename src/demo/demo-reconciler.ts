/**
 * Compares the two paths of the architecture: what the OLTP flow holds (events per type in the demo's SQLite
 * outbox, counting only those already published) against what reached the analytics store (distinct
 * MessageIds per EventType in each raw table, queried with azure-kusto-data). Raw tables are compared, not the
 * curated ones: every event lands in exactly one raw row set, while update policies reshape (order lines) and
 * dedupe.
 *
 * `kqlgate demo check` prints the report; the e2e test asserts on it.
 */
import { existsSync } from 'node:fs';
import { Client } from 'azure-kusto-data';
import { kustoConnection } from '../ingestion/kusto-connection.js';
import { loadRouteTable } from '../ingestion/route-table-loader.js';
import { OltpStore, oltpStorePath } from './oltp-store.js';

export interface ReconcileOptions {
  /** DATA_DIR of the producer; the store is `<dataDir>/demo/oltp.sqlite`. */
  dataDir: string;
  /** Kusto query endpoint (ADX, or the embedded engine's http://127.0.0.1:PORT). */
  clusterUrl: string;
  database: string;
  /** eventType → raw table routes, normally kql/ingestion-routes.json. */
  routesFile: string;
  /** Events published less than this long ago count as "in flight" (ingestion latency). Default 10 s. */
  settleMs?: number;
  now?: () => number;
}

export type ReconcileStatus = 'match' | 'in-flight' | 'missing' | 'extra' | 'error';

export interface ReconcileRow {
  eventType: string;
  table: string;
  /** Published events of this type in the operational store. */
  operational: number;
  /** Of those, published within the settle window. */
  inFlight: number;
  /** Distinct MessageIds of this type in the raw table. */
  analytics: number;
  /** Raw rows beyond one per MessageId (redeliveries the update policies drop). */
  duplicateRows: number;
  status: ReconcileStatus;
}

export interface ReconcileReport {
  storeFile: string;
  clusterUrl: string;
  database: string;
  rows: ReconcileRow[];
  /** Events still waiting in the outbox, not yet published. */
  unsent: number;
  /** Per raw table: the query error, if the table could not be counted. */
  errors: Record<string, string>;
  /** Every row is `match`. */
  matched: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const routes = loadRouteTable(options.routesFile).routes;
  const now = (options.now ?? Date.now)();
  const settleMs = options.settleMs ?? 10_000;
  const storeFile = oltpStorePath(options.dataDir);
  if (!existsSync(storeFile)) {
    throw new Error(
      `No demo operational store at ${storeFile}: start the demo producer first (npm start, or kqlgate demo run) ` +
        'or point --data-dir at the DATA_DIR it used',
    );
  }

  const store = OltpStore.open(storeFile);
  let published: Record<string, number>;
  let settled: Record<string, number>;
  let unsent: number;
  try {
    published = store.countsByType({ sentOnly: true });
    settled = store.countsByType({ sentBeforeMs: now - settleMs });
    unsent = store.unsentCount();
  } finally {
    store.close();
  }

  const tables = [...new Set(Object.values(routes).map((r) => r.table))].sort();
  const client = new Client(kustoConnection(options.clusterUrl));
  const analytics = new Map<string, { rows: number; messages: number }>();
  const errors: Record<string, string> = {};
  try {
    await Promise.all(
      tables.map(async (table) => {
        if (!IDENTIFIER.test(table)) {
          errors[table] = `'${table}' in ${options.routesFile} is not a plain Kusto table name`;
          return;
        }
        try {
          // Exact counts (dcount is an estimate on ADX): one row per MessageId first, then per EventType.
          const response = await client.execute(
            options.database,
            `${table} | summarize Rows = count() by EventType, MessageId ` +
              `| summarize Rows = sum(Rows), Messages = count() by EventType`,
          );
          const result = response.primaryResults[0].toJSON<{
            EventType: string;
            Rows: number;
            Messages: number;
          }>();
          for (const row of result.data) {
            analytics.set(`${table}|${row.EventType}`, {
              rows: Number(row.Rows),
              messages: Number(row.Messages),
            });
          }
        } catch (error) {
          errors[table] = (error as Error).message;
        }
      }),
    );
  } finally {
    client.close();
  }

  const eventTypes = new Set([...Object.keys(routes), ...Object.keys(published)]);
  const rows: ReconcileRow[] = [...eventTypes].sort().map((eventType) => {
    const table = routes[eventType]?.table ?? '(no route)';
    const operational = published[eventType] ?? 0;
    const inFlight = operational - (settled[eventType] ?? 0);
    const counted = analytics.get(`${table}|${eventType}`);
    const messages = counted?.messages ?? 0;
    let status: ReconcileStatus;
    if (errors[table] || !routes[eventType]) {
      status = 'error';
    } else if (messages === operational) {
      status = 'match';
    } else if (messages > operational) {
      status = 'extra';
    } else {
      status = messages >= operational - inFlight ? 'in-flight' : 'missing';
    }
    return {
      eventType,
      table,
      operational,
      inFlight,
      analytics: messages,
      duplicateRows: counted ? counted.rows - counted.messages : 0,
      status,
    };
  });
  return {
    storeFile,
    clusterUrl: options.clusterUrl,
    database: options.database,
    rows,
    unsent,
    errors,
    matched: rows.every((r) => r.status === 'match'),
  };
}

/** The report as the fixed-width table `kqlgate demo check` prints. */
export function formatReconcileReport(report: ReconcileReport): string {
  const header = [
    'event type',
    'raw table',
    'operational (SQLite)',
    'analytics (Kusto)',
    'dup rows',
    'status',
  ];
  const body = report.rows.map((r) => [
    r.eventType,
    r.table,
    String(r.operational),
    String(r.analytics),
    String(r.duplicateRows),
    r.status === 'in-flight' ? `in flight (${r.operational - r.analytics})` : r.status,
  ]);
  const total = (pick: (r: ReconcileRow) => number) =>
    String(report.rows.reduce((sum, r) => sum + pick(r), 0));
  const footer = [
    'total',
    '',
    total((r) => r.operational),
    total((r) => r.analytics),
    total((r) => r.duplicateRows),
    report.matched ? 'match' : 'differs',
  ];
  const all = [header, ...body, footer];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [
    `operational store: ${report.storeFile}`,
    `analytics store:   ${report.clusterUrl} / ${report.database}`,
    '',
    line(header),
    ...body.map(line),
    line(footer),
  ];
  if (report.unsent > 0) {
    out.push('', `${report.unsent} event(s) in the outbox are not published yet (not counted above)`);
  }
  for (const [table, message] of Object.entries(report.errors)) {
    out.push('', `cannot count ${table}: ${message}`);
  }
  return out.join('\n').trimEnd();
}
