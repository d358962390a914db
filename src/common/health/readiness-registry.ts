import { Injectable } from '@nestjs/common';

export interface ReadinessResult {
  up: boolean;
  /**
   * Up, but working in a reduced mode (e.g. Redis away: replica-local rate limits). Reported as `degraded`; it
   * does not fail readiness, since taking the replica out of service would not help.
   */
  degraded?: boolean;
  details?: Record<string, unknown>;
}

export type ReadinessCheck = () => Promise<ReadinessResult>;

/**
 * Each component that the gateway depends on registers a named readiness check here; `/health/ready` runs them
 * all and reports every dependency by name, so an operator sees which one is failing.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async runAll(timeoutMs = 2_000): Promise<Record<string, ReadinessResult>> {
    const entries = await Promise.all(
      [...this.checks.entries()].map(
        async ([name, check]) => [name, await runWithTimeout(check, timeoutMs)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}

async function runWithTimeout(check: ReadinessCheck, timeoutMs: number): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ up: false, details: { error: `check timed out after ${timeoutMs} ms` } }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([
      check().catch((error: unknown) => ({
        up: false,
        details: { error: error instanceof Error ? error.message : String(error) },
      })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
