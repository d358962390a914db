/**
 * Reconciles the three sides of the architecture per event type:
 * - published: what the OLTP app published — its outbox in `oltp.sqlite`, counting only the events the broker
 *   accepted;
 * - operational: what the operational side holds — the rows the operational consumer wrote into
 *   `operational.sqlite` from the `operational` subscription;
 * - analytics: what reached Azure Data Explorer — distinct MessageIds per EventType in each raw table, queried with
 *   azure-kusto-data. Raw tables are compared, not the curated ones: every event lands in exactly one raw row set,
 *   while update policies reshape (order lines) and dedupe.
 *
 * Events published less than `settleMs` ago may still be on their way to either side: a shortfall no larger than
 * them is "in flight", a larger one "missing".
 *
 * `kqlgate demo check` prints the report; the integration and e2e tests assert on it.
 */
import { existsSync } from 'node:fs';
import { Client, type KustoConnectionStringBuilder } from 'azure-kusto-data';
import { OltpStore, oltpStorePath } from './oltp-store.js';
import { OperationalStore, operationalStorePath } from './operational-store.js';

export interface ReconcileOptions {
  /** DATA_DIR of the demo: `<dataDir>/demo/oltp.sqlite` and `<dataDir>/demo/operational.sqlite`. */
  dataDir: string;
  /** Kusto query endpoint (ADX, or the embedded engine's http://127.0.0.1:PORT), as the report names it. */
  clusterUrl: string;
  /** How to connect to `clusterUrl` (with which credential): the host decides. */
  kusto: KustoConnectionStringBuilder;
  database: string;
  /** eventType → raw table: the routes of the ingestion that reads the analytics subscription. */
  routes: Readonly<Record<string, { readonly table: string }>>;
  /** Where `routes` come from (normally kql/ingestion-routes.json), as messages name it. */
  routesSource: string;
  /** Events published less than this long ago count as "in flight". Default 10 s. */
  settleMs?: number;
  now?: () => number;
}

/** How one side compares with what was published. */
export type SideStatus = 'match' | 'in-flight' | 'missing' | 'extra' | 'error';

/** A row's status: the worst of its two sides. */
export type ReconcileStatus = SideStatus;

export interface ReconcileRow {
  eventType: string;
  table: string;
  /** Events of this type the OLTP app published (its outbox, accepted by the broker). */
  published: number;
  /** Of those, published within the settle window: they may still be on their way. */
  inFlight: number;
  /** Rows of this type in the operational database, written by the operational consumer. */
  operational: number;
  /** Distinct MessageIds of this type in the raw table. */
  analytics: number;
  /** Raw rows beyond one per MessageId (redeliveries the update policies drop). */
  duplicateRows: number;
  operationalStatus: SideStatus;
  analyticsStatus: SideStatus;
  status: ReconcileStatus;
}

export interface ReconcileReport {
  /** The OLTP app's store: its outbox is the published side. */
  oltpStoreFile: string;
  /** The operational database the operational consumer writes. */
  operationalStoreFile: string;
  clusterUrl: string;
  database: string;
  settleMs: number;
  rows: ReconcileRow[];
  /** Events still waiting in the outbox, not yet published (not counted anywhere). */
  unsent: number;
  /** Why the operational side could not be counted, if it could not. */
  operationalError: string | null;
  /** Per raw table: the query error, if the table could not be counted. */
  errors: Record<string, string>;
  /** Every row is `match`: the three sides agree. */
  matched: boolean;
  /** One sentence: match, in flight (and how much), or what differs. */
  verdict: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Worst first: a row takes the first of these that one of its sides has. */
const SEVERITY: readonly SideStatus[] = ['error', 'missing', 'extra', 'in-flight', 'match'];

export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const { routes } = options;
  const now = (options.now ?? Date.now)();
  const settleMs = options.settleMs ?? 10_000;
  const oltpStoreFile = oltpStorePath(options.dataDir);
  const operationalStoreFile = operationalStorePath(options.dataDir);
  if (!existsSync(oltpStoreFile)) {
    throw new Error(
      `No demo OLTP store at ${oltpStoreFile}: start the demo first (npm start, or kqlgate demo run) ` +
        'or point --data-dir at the DATA_DIR it used',
    );
  }

  // The downstream sides first, the published side last: whatever is published in between counts as published
  // (and, being recent, as in flight), never as more than was published.
  let operational: Record<string, number> = {};
  let operationalError: string | null = null;
  if (existsSync(operationalStoreFile)) {
    const store = OperationalStore.open(operationalStoreFile);
    try {
      operational = store.countsByType();
    } finally {
      store.close();
    }
  } else {
    operationalError =
      `no operational database at ${operationalStoreFile}: the operational consumer has not run ` +
      '(npm start and kqlgate demo run start it with the demo)';
  }

  const { analytics, errors } = await countAnalytics(routes, options);

  const oltp = OltpStore.open(oltpStoreFile);
  let published: Record<string, number>;
  let settled: Record<string, number>;
  let unsent: number;
  try {
    published = oltp.countsByType({ sentOnly: true });
    settled = oltp.countsByType({ sentBeforeMs: now - settleMs });
    unsent = oltp.unsentCount();
  } finally {
    oltp.close();
  }

  const eventTypes = new Set([
    ...Object.keys(routes),
    ...Object.keys(published),
    ...Object.keys(operational),
  ]);
  const rows: ReconcileRow[] = [...eventTypes].sort().map((eventType) => {
    const table = routes[eventType]?.table ?? '(no route)';
    const sent = published[eventType] ?? 0;
    const inFlight = sent - (settled[eventType] ?? 0);
    const written = operational[eventType] ?? 0;
    const counted = analytics.get(`${table}|${eventType}`);
    const messages = counted?.messages ?? 0;
    const operationalStatus = sideStatus(written, sent, inFlight, operationalError !== null);
    const analyticsStatus = sideStatus(messages, sent, inFlight, !routes[eventType] || table in errors);
    return {
      eventType,
      table,
      published: sent,
      inFlight,
      operational: written,
      analytics: messages,
      duplicateRows: counted ? counted.rows - counted.messages : 0,
      operationalStatus,
      analyticsStatus,
      status: SEVERITY.find((s) => s === operationalStatus || s === analyticsStatus) ?? 'match',
    };
  });
  return {
    oltpStoreFile,
    operationalStoreFile,
    clusterUrl: options.clusterUrl,
    database: options.database,
    settleMs,
    rows,
    unsent,
    operationalError,
    errors,
    matched: rows.every((r) => r.status === 'match'),
    verdict: verdictOf(rows, settleMs, operationalError, errors),
  };
}

function sideStatus(count: number, published: number, inFlight: number, error: boolean): SideStatus {
  if (error) {
    return 'error';
  }
  if (count === published) {
    return 'match';
  }
  if (count > published) {
    return 'extra';
  }
  return count >= published - inFlight ? 'in-flight' : 'missing';
}

async function countAnalytics(
  routes: ReconcileOptions['routes'],
  options: ReconcileOptions,
): Promise<{ analytics: Map<string, { rows: number; messages: number }>; errors: Record<string, string> }> {
  const tables = [...new Set(Object.values(routes).map((r) => r.table))].sort();
  const client = new Client(options.kusto);
  const analytics = new Map<string, { rows: number; messages: number }>();
  const errors: Record<string, string> = {};
  try {
    await Promise.all(
      tables.map(async (table) => {
        if (!IDENTIFIER.test(table)) {
          errors[table] = `'${table}' in ${options.routesSource} is not a plain Kusto table name`;
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
  return { analytics, errors };
}

const SIDE_NAMES = { operational: 'operational store', analytics: 'analytics store' } as const;

function verdictOf(
  rows: readonly ReconcileRow[],
  settleMs: number,
  operationalError: string | null,
  errors: Record<string, string>,
): string {
  const total = rows.reduce((sum, r) => sum + r.published, 0);
  if (rows.every((r) => r.status === 'match')) {
    return `match: the OLTP app published ${total} events, and the operational store and the analytics store hold every one of them`;
  }
  const shortfall = (
    side: 'operational' | 'analytics',
    status: SideStatus,
  ): { n: number; types: string[] } => {
    const affected = rows.filter((r) => r[`${side}Status`] === status);
    return {
      n: affected.reduce((sum, r) => sum + Math.abs(r.published - r[side]), 0),
      types: affected.map((r) => r.eventType),
    };
  };
  const seconds = `${Math.round(settleMs / 1000)} s`;
  if (rows.every((r) => r.status === 'match' || r.status === 'in-flight')) {
    const parts = (['operational', 'analytics'] as const)
      .map((side) => ({ side, ...shortfall(side, 'in-flight') }))
      .filter((p) => p.n > 0)
      .map((p) => `${p.n} not yet in the ${SIDE_NAMES[p.side]}`);
    return `in flight: of the events published in the last ${seconds}, ${parts.join(' and ')}; nothing older is missing — run again once the demo is quiet`;
  }
  const parts: string[] = [];
  for (const side of ['operational', 'analytics'] as const) {
    const missing = shortfall(side, 'missing');
    if (missing.n > 0) {
      parts.push(`${missing.n} event(s) missing from the ${SIDE_NAMES[side]} (${missing.types.join(', ')})`);
    }
    const extra = shortfall(side, 'extra');
    if (extra.n > 0) {
      parts.push(
        `${extra.n} more event(s) in the ${SIDE_NAMES[side]} than published (${extra.types.join(', ')})`,
      );
    }
  }
  if (operationalError !== null) {
    parts.push(`cannot count the operational store: ${operationalError}`);
  }
  const failedTables = Object.keys(errors);
  if (failedTables.length > 0) {
    parts.push(`cannot count ${failedTables.join(', ')} in the analytics store`);
  }
  const unrouted = rows.filter((r) => r.table === '(no route)').map((r) => r.eventType);
  if (unrouted.length > 0) {
    parts.push(`no raw table is routed for ${unrouted.join(', ')}`);
  }
  return `DIFFERS: ${parts.join('; ')}`;
}

/** The report as the fixed-width table `kqlgate demo check` prints. */
export function formatReconcileReport(report: ReconcileReport): string {
  const header = ['event type', 'raw table', 'published', 'operational', 'analytics', 'dup rows', 'status'];
  const body = report.rows.map((r) => [
    r.eventType,
    r.table,
    String(r.published),
    String(r.operational),
    String(r.analytics),
    String(r.duplicateRows),
    statusCell(r),
  ]);
  const total = (pick: (r: ReconcileRow) => number) =>
    String(report.rows.reduce((sum, r) => sum + pick(r), 0));
  const overall = SEVERITY.find((s) => report.rows.some((r) => r.status === s)) ?? 'match';
  const footer = [
    'total',
    '',
    total((r) => r.published),
    total((r) => r.operational),
    total((r) => r.analytics),
    total((r) => r.duplicateRows),
    overall === 'in-flight' ? 'in flight' : overall === 'match' ? 'match' : 'differs',
  ];
  const all = [header, ...body, footer];
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [
    `published (OLTP app):  ${report.oltpStoreFile}, table outbox`,
    `operational store:     ${report.operationalStoreFile}, table operational_events (the operational consumer's)`,
    `analytics store:       ${report.clusterUrl} / ${report.database}, raw tables`,
    '',
    line(header),
    ...body.map(line),
    line(footer),
    '',
    `verdict: ${report.verdict}`,
  ];
  if (report.unsent > 0) {
    out.push(`${report.unsent} event(s) in the outbox are not published yet (not counted above)`);
  }
  if (report.operationalError !== null) {
    out.push(`cannot count the operational store: ${report.operationalError}`);
  }
  for (const [table, message] of Object.entries(report.errors)) {
    out.push(`cannot count ${table}: ${message}`);
  }
  return out.join('\n').trimEnd();
}

/** "match", or each side that is not, e.g. "analytics in flight 3" or "operational missing 12, analytics extra 1". */
function statusCell(row: ReconcileRow): string {
  if (row.status === 'match' || row.status === 'error') {
    return row.status;
  }
  const parts: string[] = [];
  for (const side of ['operational', 'analytics'] as const) {
    const status = row[`${side}Status`];
    const count = row[side];
    if (status === 'in-flight') {
      parts.push(`${side} in flight ${row.published - count}`);
    } else if (status === 'missing') {
      parts.push(`${side} missing ${row.published - count}`);
    } else if (status === 'extra') {
      parts.push(`${side} extra ${count - row.published}`);
    } else if (status === 'error') {
      parts.push(`${side} error`);
    }
  }
  return parts.join(', ');
}
