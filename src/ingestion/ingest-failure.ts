/**
 * Classifies an error thrown by azure-kusto-ingest. The pipeline's settlement depends on it:
 * - `transient` (throttling, 5xx, engine unreachable, timeouts): nothing is wrong with the messages — keep
 *   them locked, back off, pause reception, retry. Never dead-letter for these.
 * - `permanent` (4xx with a Kusto error body: bad mapping, schema or data): retrying cannot help — isolate
 *   the offending message(s) and dead-letter them.
 * Unknown shapes count as transient: a stall is visible and recoverable, a wrongly dead-lettered message is not.
 */
import { InvalidIngestTargetError } from './kusto-ingest-sink.js';
import { QueuedIngestionFailedError } from './queued-ingestion-status.js';

export type IngestFailureKind = 'transient' | 'permanent';

export interface IngestFailure {
  kind: IngestFailureKind;
  /** The engine's own explanation when it sent one, else the error message. */
  message: string;
  status?: number;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  response?: { status?: unknown; data?: unknown };
  inner?: unknown;
  cause?: unknown;
}

export function classifyIngestFailure(error: unknown): IngestFailure {
  const e = (error ?? {}) as ErrorLike;
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (error instanceof InvalidIngestTargetError) {
    return { kind: 'permanent', message };
  }
  if (error instanceof QueuedIngestionFailedError) {
    // The data-management service's own verdict (FailureStatus) on a queued ingestion.
    return { kind: error.permanent ? 'permanent' : 'transient', message };
  }
  if (e.name === 'ThrottlingError') {
    return { kind: 'transient', message, status: 429 };
  }
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  if (status !== undefined) {
    const body = kustoErrorBody(e.response?.data);
    const detail = body?.message ?? message;
    if (status === 429 || status === 408 || status >= 500) {
      return { kind: 'transient', message: detail, status };
    }
    // A 4xx is permanent unless the engine explicitly says it is not (e.g. a transient 4xx it marks @permanent:false).
    return { kind: body?.permanent === false ? 'transient' : 'permanent', message: detail, status };
  }
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) {
    return { kind: 'transient', message };
  }
  for (const nested of [e.inner, e.cause]) {
    if (nested && typeof nested === 'object') {
      const inner = classifyIngestFailure(nested);
      if (inner.status !== undefined || inner.kind === 'permanent') {
        return inner;
      }
    }
  }
  return { kind: 'transient', message };
}

function kustoErrorBody(data: unknown): { message?: string; permanent?: boolean } | undefined {
  let value = data;
  if (Buffer.isBuffer(value)) {
    value = value.toString('utf8');
  }
  if (typeof value === 'string') {
    const text = value;
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      return { message: text.slice(0, 500) };
    }
  }
  if (!value || typeof value !== 'object') {
    return undefined;
  }
  const error = (value as { error?: Record<string, unknown> }).error;
  if (!error || typeof error !== 'object') {
    return undefined;
  }
  const message = typeof error['@message'] === 'string' ? error['@message'] : error.message;
  const permanent = error['@permanent'];
  return {
    message: typeof message === 'string' ? message : undefined,
    permanent: typeof permanent === 'boolean' ? permanent : undefined,
  };
}
