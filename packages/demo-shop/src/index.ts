/**
 * Public entry of @kqlgate/demo-shop: a simulated e-commerce/payments OLTP application publishing its events to a
 * Service Bus topic (DemoProducer, with its SQLite store and outbox), the operational consumer that stands in for its
 * function app (OperationalConsumer, writing the `operational` subscription into a second SQLite database), and the
 * reconciliation of what was published, stored operationally and ingested into Kusto (reconcile).
 * `./metrics` holds the demo's Prometheus counter alone.
 */
export { DemoProducer, type DemoProducerOptions, type DemoProducerStats } from './demo-producer.js';
export {
  OPERATIONAL_SUBSCRIPTION,
  OperationalConsumer,
  type OperationalConsumerOptions,
  type OperationalConsumerStats,
} from './operational-consumer.js';
export {
  formatReconcileReport,
  reconcile,
  type ReconcileOptions,
  type ReconcileReport,
  type ReconcileRow,
  type ReconcileStatus,
  type SideStatus,
} from './demo-reconciler.js';
export { OltpStore, oltpStorePath, type OutboxMessage } from './oltp-store.js';
export {
  OperationalStore,
  operationalStorePath,
  type OperationalEventWriter,
  type OperationalRow,
  type OperationalWriteResult,
} from './operational-store.js';
export { OltpSimulator, type SimulatorOptions, type SimulatorSnapshot } from './oltp-simulator.js';
export { InMemoryFollowUpQueue, type FollowUpQueue } from './follow-up-queue.js';
export { ServiceBusEventSender, type EventSender } from './servicebus-event-sender.js';
export {
  DEMO_EVENT_TYPES,
  type DemoEvent,
  type DemoEventEnvelope,
  type DemoEventType,
} from './demo-event.js';
export { contractViolations } from './demo-event-contract.js';
export { OperationalDeadLetterReason, PoisonMessageError } from './operational-event-decoder.js';
export { DEFAULT_METRIC_PREFIX, type DemoMetricsOptions } from './demo-metrics.js';
export { silentLogger, type Logger } from './logging/logger.js';
