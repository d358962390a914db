/**
 * Prometheus metrics of the broker, on the registry and with the name prefix its host chooses (default: prom-client's
 * default registry, `servicebus_emulator_`). kqlgate passes `kqlgate_servicebus_`, which gives the names it always
 * had: `kqlgate_servicebus_messages_enqueued_total` and `kqlgate_servicebus_active_messages`.
 */
import { Counter, Gauge, register, type Registry } from 'prom-client';

export const DEFAULT_METRIC_PREFIX = 'servicebus_emulator_';

export interface BrokerMetricsOptions {
  /** Where the metrics are registered; default prom-client's default registry. */
  registry?: Registry;
  /** Prepended to every metric name; default `servicebus_emulator_`. */
  prefix?: string;
}

/** What the active-messages gauge reads from a running broker. */
export interface EntityCounts {
  readonly entities: ReadonlyMap<string, { readonly path: string; readonly activeMessageCount: number }>;
}

/** The brokers each gauge reports: several brokers in one process (tests) share one gauge per name. */
const brokersOf = new WeakMap<Gauge<'entity'>, Set<EntityCounts>>();

export class BrokerMetrics {
  readonly enqueued: Counter;
  private readonly brokers: Set<EntityCounts>;

  constructor(options: BrokerMetricsOptions = {}) {
    const registry = options.registry ?? register;
    const prefix = options.prefix ?? DEFAULT_METRIC_PREFIX;
    const enqueuedName = `${prefix}messages_enqueued_total`;
    this.enqueued =
      (registry.getSingleMetric(enqueuedName) as Counter | undefined) ??
      new Counter({
        name: enqueuedName,
        help: 'Messages accepted by the embedded Service Bus broker (per sent message, before topic fan-out).',
        registers: [registry],
      });
    const activeName = `${prefix}active_messages`;
    let gauge = registry.getSingleMetric(activeName) as Gauge<'entity'> | undefined;
    if (!gauge) {
      const brokers = new Set<EntityCounts>();
      gauge = new Gauge({
        name: activeName,
        help: 'Messages available or locked per entity of the embedded Service Bus broker (dead-letter queues included).',
        labelNames: ['entity'],
        registers: [registry],
        collect(this: Gauge<'entity'>): void {
          this.reset();
          for (const broker of brokers) {
            for (const entity of broker.entities.values()) {
              this.set({ entity: entity.path }, entity.activeMessageCount);
            }
          }
        },
      });
      brokersOf.set(gauge, brokers);
    }
    this.brokers = brokersOf.get(gauge) ?? new Set();
  }

  /** Reports the broker's entities in the active-messages gauge until `untrack`. */
  track(broker: EntityCounts): void {
    this.brokers.add(broker);
  }

  untrack(broker: EntityCounts): void {
    this.brokers.delete(broker);
  }
}
