/**
 * Public entry of @kqlgate/servicebus-emulator: a Service Bus-compatible AMQP 1.0 broker — queues, topics,
 * subscriptions with rules, peek-lock, sessions, scheduling, dead-lettering, durable on disk — configured with the
 * Config.json of Microsoft's emulator, for the real @azure/service-bus SDK. `./cli` is the `servicebus-emulator`
 * command line.
 */
export {
  DEFAULT_MAX_MESSAGE_SIZE_BYTES,
  startServiceBusEmulator,
  type RunningServiceBusEmulator,
  type ServiceBusEmulatorOptions,
} from './servicebus-emulator.js';
export {
  parseEntitiesConfig,
  type BrokerEntitiesConfig,
  type EntityProperties,
  type QueueConfig,
  type RuleConfig,
  type SubscriptionConfig,
  type TopicConfig,
} from './entities/entity-config.js';
export { BrokerErrorCode, ServiceBusBrokerError } from './errors/servicebus-broker-error.js';
export { DEFAULT_METRIC_PREFIX, type BrokerMetricsOptions } from './broker-metrics.js';
export { silentLogger, type Logger } from './logging/logger.js';
