import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { AuthError } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import { CacheInvalidator } from '../cache/cache-invalidator.js';
import { TableLineage } from '../cache/table-lineage.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { FunctionQueryService, type QueryResult } from '../query/function-query.service.js';
import { QueryError, QueryErrorCode } from '../query/query-error.js';
import { RateLimitError } from '../rate-limit/rate-limit-error.js';
import { LiveCloseCode, liveCloseReason, type LiveEndReason } from './live-close.js';
import { LiveError, LiveErrorCode } from './live-error.js';
import { LiveMetrics } from './live-metrics.js';
import type { LiveSink } from './live-sink.js';
import { LIVE_LINEAGE, TABLE_COMMIT_BUS } from './live.tokens.js';
import { RerunScheduler } from './rerun-scheduler.js';
import type { TableCommit, TableCommitBus } from './table-commit.bus.js';

/** What a transport keeps of an open subscription: a way to end it when its client goes away. */
export interface LiveHandle {
  readonly id: string;
  /** The client went away (connection closed, unsubscribed); nothing more is sent. */
  cancel(): void;
}

interface Subscription {
  readonly id: string;
  readonly principal: Principal;
  readonly functionName: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly sink: LiveSink;
  readonly scheduler: RerunScheduler;
  /** Aborts a re-run in flight when the subscription ends. */
  readonly abort: AbortController;
  sequence: number;
  hash: string;
  closed: boolean;
  expiryTimer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
}

/** setTimeout's longest delay; a later token expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Live results: a subscription is (function, parameters, principal). When ingestion commits rows to a table the
 * function reads (through update policies too, see TableLineage), the function runs again through the same
 * `FunctionQueryService.execute` as a REST call — authorization, claim binding, rate limit and cache included —
 * at most once per its `live=` interval (else its cache TTL), and the result is pushed only when its rows changed.
 *
 * Transports (the SSE route, a GraphQL subscription) authenticate the caller, call `open` with a LiveSink and
 * cancel the handle when their client goes away; everything else — limits, throttling, change detection, token
 * expiry, idle timeout, shutdown — happens here, once for every transport.
 */
@Injectable()
export class LiveResultsService implements OnModuleInit {
  private readonly logger = createLogger('live');
  private readonly metrics = new LiveMetrics();
  private readonly subscriptions = new Set<Subscription>();
  private readonly perPrincipal = new Map<string, number>();
  private reserved = 0;
  private closing = false;
  private detach: (() => void)[] = [];

  constructor(
    private readonly query: FunctionQueryService,
    private readonly catalog: FunctionCatalogService,
    private readonly config: EnvConfig,
    @Inject(TABLE_COMMIT_BUS) private readonly bus: TableCommitBus,
    @Inject(LIVE_LINEAGE) private readonly lineage: TableLineage,
    @Optional() private readonly invalidator?: CacheInvalidator,
  ) {}

  onModuleInit(): void {
    this.detach = [
      this.bus.subscribe((commit) => void this.onCommit(commit)),
      this.catalog.onChange(() => this.onCatalogChange()),
    ];
  }

  /** Open subscriptions on this replica. */
  get size(): number {
    return this.subscriptions.size;
  }

  /**
   * Runs the function once (refusals throw before anything is open, as the REST call's would) and pushes that
   * result to `sink` as result 1; later results follow ingestion.
   */
  async open(
    principal: Principal,
    functionName: string,
    params: Readonly<Record<string, unknown>>,
    sink: LiveSink,
    options: { requestId?: string } = {},
  ): Promise<LiveHandle> {
    this.reserve(principal);
    let first: QueryResult;
    try {
      first = await this.query.execute(principal, functionName, params, { requestId: options.requestId });
    } catch (error) {
      this.release(principal);
      throw error;
    }
    const subscription: Subscription = {
      id: randomUUID(),
      principal,
      functionName,
      params,
      sink,
      scheduler: new RerunScheduler(
        () => this.rerun(subscription),
        () => this.intervalOf(functionName),
      ),
      abort: new AbortController(),
      sequence: 0,
      hash: resultHash(first),
      closed: false,
    };
    if (this.closing) {
      // The shutdown began while the first result was computed.
      this.release(principal);
      throw shuttingDown();
    }
    this.subscriptions.add(subscription);
    this.metrics.active.inc();
    subscription.scheduler.ran();
    this.armExpiry(subscription);
    this.push(subscription, first);
    return { id: subscription.id, cancel: () => this.end(subscription, 'CLIENT_GONE') };
  }

  /**
   * Closes every subscription with SHUTTING_DOWN before the HTTP server closes (it waits for open responses):
   * called by LiveShutdownHook, the one shutdown step of live results. Not a Nest lifecycle hook.
   */
  endAllForShutdown(): void {
    if (this.closing) {
      return;
    }
    this.closing = true;
    for (const detach of this.detach) {
      detach();
    }
    for (const subscription of [...this.subscriptions]) {
      this.close(subscription, LiveCloseCode.ShuttingDown);
    }
  }

  private reserve(principal: Principal): void {
    if (this.closing) {
      throw shuttingDown();
    }
    const held = this.perPrincipal.get(principal.id) ?? 0;
    const perPrincipal = this.config.LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL;
    if (held >= perPrincipal) {
      throw new LiveError(
        LiveErrorCode.TooManyForPrincipal,
        `the caller already has ${held} live subscriptions open, the most allowed (LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL); close one first`,
        { limit: perPrincipal },
      );
    }
    if (this.reserved >= this.config.LIVE_MAX_SUBSCRIPTIONS) {
      throw new LiveError(
        LiveErrorCode.ReplicaFull,
        `this replica holds ${this.reserved} live subscriptions, the most allowed (LIVE_MAX_SUBSCRIPTIONS); retry later`,
        { limit: this.config.LIVE_MAX_SUBSCRIPTIONS },
      );
    }
    this.perPrincipal.set(principal.id, held + 1);
    this.reserved += 1;
  }

  private release(principal: Principal): void {
    const held = (this.perPrincipal.get(principal.id) ?? 1) - 1;
    if (held <= 0) {
      this.perPrincipal.delete(principal.id);
    } else {
      this.perPrincipal.set(principal.id, held);
    }
    this.reserved -= 1;
  }

  /**
   * A commit concerns the subscriptions whose function reads one of the tables it changed. The cache entry of
   * such a function must be invalid before the re-run reads it: a commit of this process is invalidated by the
   * cache's own ingestion listener (awaited here); one of another replica came through Redis, whose generations
   * the committing replica bumped before it published the commit (RedisCommitBus), so there is nothing to write.
   */
  private async onCommit(commit: TableCommit): Promise<void> {
    if (commit.rows <= 0) {
      return;
    }
    if (commit.origin === this.bus.origin) {
      await this.invalidator?.settled();
    }
    if (this.subscriptions.size === 0) {
      return;
    }
    const changed = new Set(this.lineage.affectedBy(commit.table));
    for (const subscription of this.subscriptions) {
      const tables = this.catalog.exposedFunction(subscription.functionName)?.tables ?? [];
      if (tables.some((table) => changed.has(table))) {
        subscription.scheduler.request();
      }
    }
  }

  /** After a catalog reload: a removed function ends its streams; a changed one (roles, query) is checked again. */
  private onCatalogChange(): void {
    for (const subscription of [...this.subscriptions]) {
      if (!this.catalog.exposedFunction(subscription.functionName)) {
        this.close(subscription, LiveCloseCode.FunctionRemoved);
        continue;
      }
      subscription.scheduler.request();
    }
  }

  private async rerun(subscription: Subscription): Promise<void> {
    if (subscription.closed) {
      return;
    }
    if (tokenExpiresAtMs(subscription.principal) <= Date.now()) {
      this.close(subscription, LiveCloseCode.TokenExpired);
      return;
    }
    const fn = subscription.functionName;
    try {
      const result = await this.query.execute(subscription.principal, fn, subscription.params, {
        signal: subscription.abort.signal,
      });
      if (subscription.closed) {
        return;
      }
      const hash = resultHash(result);
      if (hash === subscription.hash) {
        this.metrics.reruns.inc({ function: fn, outcome: 'unchanged' });
        return;
      }
      subscription.hash = hash;
      this.metrics.reruns.inc({ function: fn, outcome: 'changed' });
      this.push(subscription, result);
    } catch (error) {
      if (subscription.closed) {
        return;
      }
      this.metrics.reruns.inc({ function: fn, outcome: 'error' });
      this.failed(subscription, error);
    }
  }

  /** What a failed re-run means for the subscription: the end (auth, removal), a later retry, or the next commit. */
  private failed(subscription: Subscription, error: unknown): void {
    if (error instanceof AuthError) {
      this.close(subscription, LiveCloseCode.Forbidden);
    } else if (error instanceof QueryError && error.code === QueryErrorCode.FunctionNotFound) {
      this.close(subscription, LiveCloseCode.FunctionRemoved);
    } else if (error instanceof RateLimitError) {
      subscription.scheduler.request(error.retryAfterSeconds * 1000);
    } else {
      this.logger.warn(
        {
          function: subscription.functionName,
          subscription: subscription.id,
          code: (error as { code?: unknown }).code,
          err: error instanceof Error ? error.message : String(error),
        },
        'a live re-run failed; the subscription stays open and runs again at the next commit',
      );
    }
  }

  private push(subscription: Subscription, result: QueryResult): void {
    subscription.sequence += 1;
    const accepted = subscription.sink.push(result, subscription.sequence);
    this.metrics.pushes.inc({ function: subscription.functionName });
    if (!accepted) {
      this.close(subscription, LiveCloseCode.SlowConsumer);
      return;
    }
    this.armIdle(subscription);
  }

  private armIdle(subscription: Subscription): void {
    const idleSeconds = this.config.LIVE_IDLE_TIMEOUT_SECONDS;
    if (idleSeconds <= 0) {
      return;
    }
    if (subscription.idleTimer) {
      subscription.idleTimer.refresh();
      return;
    }
    subscription.idleTimer = setTimeout(
      () => this.close(subscription, LiveCloseCode.IdleTimeout),
      idleSeconds * 1000,
    );
    subscription.idleTimer.unref();
  }

  /** Closes the subscription when the caller's token expires (API keys and anonymous callers have no expiry). */
  private armExpiry(subscription: Subscription): void {
    const expiresAt = tokenExpiresAtMs(subscription.principal);
    if (!Number.isFinite(expiresAt)) {
      return;
    }
    const wait = expiresAt - Date.now();
    subscription.expiryTimer = setTimeout(
      () => {
        if (Date.now() >= expiresAt) {
          this.close(subscription, LiveCloseCode.TokenExpired);
        } else {
          this.armExpiry(subscription);
        }
      },
      Math.min(Math.max(wait, 0), MAX_TIMER_MS),
    );
    subscription.expiryTimer.unref();
  }

  private close(subscription: Subscription, code: LiveCloseCode): void {
    if (!this.end(subscription, code)) {
      return;
    }
    const reason = liveCloseReason(code, subscription.functionName, {
      bufferBytes: this.config.LIVE_BUFFER_BYTES,
      idleSeconds: this.config.LIVE_IDLE_TIMEOUT_SECONDS,
    });
    this.logger.debug({ function: subscription.functionName, subscription: subscription.id, code }, reason);
    subscription.sink.close(code, reason);
  }

  /** Frees everything the subscription holds; false when it had already ended. */
  private end(subscription: Subscription, reason: LiveEndReason): boolean {
    if (subscription.closed) {
      return false;
    }
    subscription.closed = true;
    subscription.scheduler.stop();
    subscription.abort.abort();
    clearTimeout(subscription.expiryTimer);
    clearTimeout(subscription.idleTimer);
    this.subscriptions.delete(subscription);
    this.release(subscription.principal);
    this.metrics.closed(reason);
    return true;
  }

  private intervalOf(functionName: string): number {
    const exposure = this.catalog.exposedFunction(functionName)?.exposure;
    return exposure?.liveIntervalMs ?? exposure?.cacheTtlMs ?? 0;
  }
}

/** When the principal's token expires (its `exp` claim), or +Infinity for credentials that do not expire. */
export function tokenExpiresAtMs(principal: Principal): number {
  const exp = principal.claims.exp;
  return typeof exp === 'number' ? exp * 1000 : Number.POSITIVE_INFINITY;
}

/** The rows and their columns decide "changed"; meta (request id, timings, cache state) differs on every run. */
function resultHash(result: QueryResult): string {
  return createHash('sha256')
    .update(JSON.stringify(result.meta.columns))
    .update(JSON.stringify(result.rows))
    .update(result.meta.truncated ? '1' : '0')
    .digest('base64');
}

function shuttingDown(): LiveError {
  return new LiveError(
    LiveErrorCode.ShuttingDown,
    'this kqlgate replica is shutting down; open the live stream again (on another replica)',
  );
}
