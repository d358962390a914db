import { createLogger } from '../../common/logging/logger.js';
import type { Principal } from '../auth/principal.js';
import type { QueryRateLimiter } from '../query/query-hooks.js';
import type { CostThrottlerStorage } from './cost-throttler.storage.js';
import { rateLimitMetrics } from './rate-limit-metrics.js';
import { RateLimitError, RateLimitErrorCode, type RateLimitState } from './rate-limit-error.js';

export interface RateLimitedFunction {
  readonly name: string;
  /** Points one call spends (declared `cost=` in the function's exposure settings, default 1). */
  readonly cost: number;
  /** Optional budget for this function alone, per caller, on top of the caller's overall budget. */
  readonly rateLimit?: { readonly points: number; readonly windowSeconds: number };
}

export interface RateLimitBudget {
  /** Points per window per caller across all functions; 0 disables limiting. */
  readonly points: number;
  readonly windowSeconds: number;
}

/**
 * Per-caller budgets spent in cost points: one overall budget per principal and, when a function declares one,
 * a budget per principal and function. GraphQL spends per field, because every field runs through
 * `FunctionQueryService.execute` which calls `consume` with that function's cost. Returns the tightest budget's
 * state for the RateLimit-* headers; refuses with RATE_LIMITED (429) and the seconds until that budget refills.
 * A broken limit store must not take the API down: the call goes through unlimited, and the failure is logged
 * (once per 10 s).
 */
export class CostBudgetRateLimiter implements QueryRateLimiter {
  private readonly throttled = rateLimitMetrics.throttled();
  private readonly logger = createLogger('rate-limit');
  private lastStoreErrorLogAt = -Infinity;

  constructor(
    private readonly storage: CostThrottlerStorage,
    private readonly budget: RateLimitBudget,
  ) {}

  get enabled(): boolean {
    return this.budget.points > 0;
  }

  async consume(
    principal: Principal,
    fn: RateLimitedFunction,
    cost = fn.cost,
  ): Promise<RateLimitState | undefined> {
    if (!this.enabled) {
      return undefined;
    }
    try {
      return await this.spendAll(principal, fn, cost);
    } catch (error) {
      if (error instanceof RateLimitError) {
        throw error;
      }
      if (Date.now() - this.lastStoreErrorLogAt >= 10_000) {
        this.lastStoreErrorLogAt = Date.now();
        this.logger.error(
          { err: error instanceof Error ? error.message : String(error), function: fn.name },
          'rate-limit store failed; request allowed without limiting',
        );
      }
      return undefined;
    }
  }

  private async spendAll(
    principal: Principal,
    fn: RateLimitedFunction,
    cost: number,
  ): Promise<RateLimitState> {
    const states: RateLimitState[] = [];
    if (fn.rateLimit && fn.rateLimit.points > 0) {
      states.push(
        await this.spend(
          principal,
          fn,
          `f:${fn.name}:${principal.id}`,
          'function',
          fn.rateLimit.points,
          fn.rateLimit.windowSeconds,
          cost,
        ),
      );
    }
    states.push(
      await this.spend(
        principal,
        fn,
        `p:${principal.id}`,
        'principal',
        this.budget.points,
        this.budget.windowSeconds,
        cost,
      ),
    );
    return states.reduce((tightest, state) => (state.remaining < tightest.remaining ? state : tightest));
  }

  private async spend(
    principal: Principal,
    fn: RateLimitedFunction,
    key: string,
    scope: RateLimitState['scope'],
    limit: number,
    windowSeconds: number,
    cost: number,
  ): Promise<RateLimitState> {
    const record = await this.storage.increment(
      key,
      windowSeconds * 1000,
      limit,
      windowSeconds * 1000,
      'query',
      cost,
    );
    const state: RateLimitState = {
      limit,
      remaining: Math.max(0, limit - record.totalHits),
      resetSeconds: record.timeToExpire,
      windowSeconds,
      scope,
    };
    if (record.isBlocked) {
      this.throttled.inc({ function: fn.name, scope });
      const what = scope === 'function' ? `for ${fn.name}` : 'across all functions';
      throw new RateLimitError(
        RateLimitErrorCode.RateLimited,
        cost > limit
          ? `${fn.name} costs ${cost} points but the budget ${what} is ${limit} points per ${windowSeconds} s`
          : `rate limit exceeded ${what}: ${record.totalHits} of ${limit} points used in this ${windowSeconds} s window (${fn.name} costs ${cost}); retry in ${record.timeToBlockExpire} s`,
        record.timeToBlockExpire,
        state,
        { function: fn.name, principal: principal.id, cost, scope },
      );
    }
    return state;
  }
}
