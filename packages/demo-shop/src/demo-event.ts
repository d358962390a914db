/**
 * The events the demo shop publishes, exactly as docs/events.md specifies them: an envelope whose `messageId`
 * equals the Service Bus MessageId, and an event-specific `data` object.
 */

export const DEMO_EVENT_TYPES = [
  'customer.registered',
  'customer.updated',
  'account.opened',
  'account.status_changed',
  'order.placed',
  'order.cancelled',
  'payment.authorized',
  'payment.declined',
  'payment.refunded',
  'shipment.dispatched',
  'shipment.delivered',
  'inventory.moved',
  'campaign.impression',
  'campaign.click',
] as const;

export type DemoEventType = (typeof DEMO_EVENT_TYPES)[number];

/** The JSON body of one message (docs/events.md §1). */
export interface DemoEventEnvelope {
  readonly messageId: string;
  readonly eventId: string;
  readonly eventType: DemoEventType;
  readonly tenantId: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** An envelope plus its position in the producer's stream; `seq` orders the outbox and is never published. */
export interface DemoEvent extends DemoEventEnvelope {
  readonly seq: number;
}

export function toEnvelope(event: DemoEvent): DemoEventEnvelope {
  const { messageId, eventId, eventType, tenantId, occurredAt, data } = event;
  return { messageId, eventId, eventType, tenantId, occurredAt, data };
}
