import { Controller, Get } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness-registry.js';

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

  /** Readiness: every registered dependency by name (engine, broker, catalog…); 503 when any is down. */
  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    const results = await this.readiness.runAll();
    return this.health.check(
      Object.entries(results).map(
        ([name, result]) =>
          (): Promise<HealthIndicatorResult> =>
            Promise.resolve({ [name]: { status: result.up ? 'up' : 'down', ...result.details } }),
      ),
    );
  }
}
