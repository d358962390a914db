/**
 * Turns OpenTelemetry on for this process when the configuration exports telemetry (EnvConfig.telemetryExport),
 * before the parts that write spans load. Off — the default, and the local case — it loads nothing: the SDK
 * modules are imported only here, lazily, and kqlgate-tracer.ts skips every span while `tracing.enabled` is false.
 */
import type { EnvConfig } from '../../config/env.dto.js';
import { tracing } from './kqlgate-tracer.js';
import type { RunningTelemetry } from './open-telemetry.sdk.js';

let running: Promise<RunningTelemetry> | undefined;

/** Starts the SDK once per process (later calls share it); undefined when telemetry is off. */
export async function startTelemetry(config: EnvConfig): Promise<{ shutdown(): Promise<void> } | undefined> {
  const target = config.telemetryExport;
  if (target === 'off') {
    return undefined;
  }
  running ??= import('./open-telemetry.sdk.js').then(({ startOpenTelemetry }) =>
    startOpenTelemetry(config, target),
  );
  const telemetry = await running;
  tracing.enabled = true;
  return {
    async shutdown() {
      if (running === undefined) {
        return;
      }
      running = undefined;
      tracing.enabled = false;
      await telemetry.shutdown();
    },
  };
}
