/**
 * The start-up check that makes exactly-once a promise the configuration keeps: every route of the route table
 * whose messages are deduplicated (INGEST_DEDUP on, JSON formats) must go to a table holding the dedup column.
 * Without it the id lookup fails on every batch and the table silently degrades to at-least-once, so start-up is
 * refused instead, naming the route, the table, the column and both fixes. A route that declares
 * `"delivery": "at-least-once"` is accepted without the column (one info line says what it gives up).
 *
 * Not checked: a table that does not exist yet (an analyst may create it; until then its messages are
 * dead-lettered with the engine's reason), and tables chosen per message by the `Table` application property
 * (unknown until a message names them; the lookup reports those at run time).
 */
import type { Logger } from '../common/logging/logger.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import type { DedupMode } from './dedup-filter.js';
import { classifyIngestFailure } from './ingest-failure.js';
import { unlessAborted } from './ingest-retry.js';
import { IngestionError, IngestionErrorCode } from './ingestion-error.js';
import type { MessageIdIndex } from './message-id-index.js';
import type { RouteRule } from './table-router.js';

export interface DedupColumnCheckInput {
  database: string;
  mode: DedupMode;
  column: string;
  rules: Array<{ where: string; rule: RouteRule }>;
}

/** Tables every message of which goes without dedup: some route to them declares at-least-once delivery. */
export function atLeastOnceTables(rules: Array<{ where: string; rule: RouteRule }>): Set<string> {
  return new Set(rules.filter(({ rule }) => rule.delivery === 'at-least-once').map(({ rule }) => rule.table));
}

/** Throws IngestionError (InvalidConfiguration) listing every route to a table without the column. */
export async function checkDedupColumns(
  input: DedupColumnCheckInput,
  index: MessageIdIndex | undefined,
  logger: Logger,
): Promise<void> {
  const { database, mode, column, rules } = input;
  const optedOut = atLeastOnceTables(rules);
  for (const { where, rule } of rules) {
    if (rule.delivery === 'at-least-once') {
      logger.info(
        { route: where, table: rule.table },
        `route ${where} → table ${rule.table}: at-least-once delivery (declared in the route); its messages are ` +
          `not looked up by ${column}, so a crash or a resend can duplicate rows`,
      );
    }
  }
  if (mode === 'off' || !index) {
    return;
  }
  const checked = rules.filter(({ rule }) => rule.format !== 'csv' && !optedOut.has(rule.table));
  if (checked.length === 0) {
    return;
  }
  const columns = await index.columnsOf(database, [...new Set(checked.map(({ rule }) => rule.table))]);
  const problems: string[] = [];
  for (const { where, rule } of checked) {
    const tableColumns = columns.get(rule.table);
    if (tableColumns === undefined) {
      logger.warn(
        { route: where, table: rule.table, database },
        `route ${where} → table ${rule.table}: the table does not exist in database ${database}; its messages ` +
          'are dead-lettered until it is created',
      );
    } else if (!tableColumns.includes(column)) {
      problems.push(
        `route ${where} sends messages to table ${rule.table}, which has no ${column} column for exactly-once ` +
          `delivery (INGEST_DEDUP=${mode}): add a string column ${column} mapped from $.messageId to ` +
          `${rule.table}, or declare "delivery": "at-least-once" on the route`,
      );
    }
  }
  if (problems.length > 0) {
    throw new IngestionError(
      IngestionErrorCode.InvalidConfiguration,
      `ingestion refused to start: ${problems.join('; ')}`,
      { column, problems },
    );
  }
}

export interface StartupCheckOptions {
  clock: Clock;
  backoff: BackoffPolicy;
  random: () => number;
  /** How long an engine failing transiently may hold start-up (INGEST_UNREACHABLE_THRESHOLD_MS). */
  giveUpAfterMs: number;
  /** Aborted when stop() gives up waiting: the check ends at once. */
  drain: AbortSignal;
}

/**
 * checkDedupColumns at start-up. An engine that does not answer within giveUpAfterMs does not hold start-up: the
 * check is skipped with a warning, and the id lookup reports a missing column at run time as before.
 */
export async function checkDedupColumnsAtStartup(
  input: DedupColumnCheckInput,
  index: MessageIdIndex | undefined,
  logger: Logger,
  options: StartupCheckOptions,
): Promise<void> {
  const { clock, drain } = options;
  const deadline = clock.now() + options.giveUpAfterMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await checkDedupColumns(input, index, logger);
      return;
    } catch (error) {
      if (error instanceof IngestionError) {
        throw error;
      }
      const failure = classifyIngestFailure(error);
      if (failure.kind === 'permanent' || clock.now() >= deadline || drain.aborted) {
        logger.warn(
          { err: error, column: input.column },
          `could not check that the routed tables hold the ${input.column} column (${failure.message}); ` +
            'going on: a table without it is reported by the id lookup at run time',
        );
        return;
      }
      const delay = backoffDelayMs(attempt, options.backoff, options.random);
      await unlessAborted(drain, () => clock.sleep(delay));
    }
  }
}
