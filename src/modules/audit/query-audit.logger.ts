import { createLogger, type Logger } from '../../common/logging/logger.js';
import { paramsHash } from '../cache/cache-key.js';

export type AuditOutcome = 'ok' | 'error' | 'unauthenticated' | 'forbidden' | 'throttled' | 'busy';

export interface AuditRecord {
  /** The HTTP request's id, as on its request log line (`reqId`); absent outside a request. */
  readonly requestId?: string;
  readonly principal: string;
  readonly method?: string;
  readonly function: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly rows?: number;
  readonly durationMs?: number;
  /** hit, miss, stale, coalesced, bypass — or absent when the call was refused before the cache. */
  readonly cache?: string;
  readonly outcome: AuditOutcome;
  readonly errorCode?: string;
}

/**
 * One JSON log line per function call (`"audit":"query"`), refused ones included: which request (`reqId`), who,
 * which function, a hash of
 * the parameters (values never reach the logs — they may be customer ids), rows, duration and cache result.
 */
export class QueryAuditLogger {
  constructor(private readonly logger: Logger = createLogger('audit')) {}

  record(entry: AuditRecord): void {
    this.logger.info(
      {
        audit: 'query',
        reqId: entry.requestId,
        principal: entry.principal,
        method: entry.method,
        function: entry.function,
        paramsHash: entry.params ? paramsHash(entry.params) : undefined,
        rows: entry.rows,
        durationMs: entry.durationMs === undefined ? undefined : Math.round(entry.durationMs * 100) / 100,
        cache: entry.cache,
        outcome: entry.outcome,
        errorCode: entry.errorCode,
      },
      'query',
    );
  }
}

/** Row count of a loader result: an array of rows, or an object carrying `rows` / `data` arrays. */
export function countRows(value: unknown): number | undefined {
  if (Array.isArray(value)) {
    return value.length;
  }
  if (value !== null && typeof value === 'object') {
    for (const field of ['rows', 'data'] as const) {
      const member = (value as Record<string, unknown>)[field];
      if (Array.isArray(member)) {
        return member.length;
      }
    }
  }
  return undefined;
}
