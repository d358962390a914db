import { Counter } from 'prom-client';
import { singletonMetric } from '../common/metrics/metrics.registry.js';

/** Events the demo producer has published to Service Bus, by event type. */
export function demoEventsPublished(): Counter<'type'> {
  return singletonMetric(
    'kqlgate_demo_events_published_total',
    () =>
      new Counter({
        name: 'kqlgate_demo_events_published_total',
        help: 'Events published by the demo OLTP producer to the Service Bus topic, by event type',
        labelNames: ['type'] as const,
      }),
  );
}
