import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { ReadinessRegistry, type ReadinessResult } from './readiness-registry.js';

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** Liveness: the process is up and its event loop answers. No dependency is consulted. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Readiness: every registered dependency by name (engine, broker, catalog…); 503 when any is down. A dependency
   * the gateway works around (Redis) can be `degraded`: the answer stays 200 with status `degraded`.
   */
  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    const results = await this.readiness.runAll();
    return this.health.check(
      Object.entries(results).map(
        ([name, result]) =>
          (): Promise<HealthIndicatorResult> =>
            Promise.resolve({ [name]: { status: statusOf(result), ...result.details } }),
      ),
    );
  }
}

function statusOf(result: ReadinessResult): 'up' | 'down' | 'degraded' {
  if (!result.up) {
    return 'down';
  }
  return result.degraded ? 'degraded' : 'up';
}
