import { randomUUID } from 'node:crypto';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { IngestionEvents } from '../../src/ingestion/ingestion-events.js';
import type { KqlgateInstance } from './kqlgate-instance.js';

/**
 * An `order.placed` event of one order line as the demo shop publishes it (routed to RawOrderEvents, landing in
 * Orders by the update policy), with its `eventType`/`tenantId` application properties plus `properties`.
 */
export function orderPlacedMessage(order: {
  messageId: string;
  orderId: string;
  totalAmount: number;
  tenantId?: string;
  properties?: Record<string, string>;
  /** When the order happened; default now. */
  occurredAt?: Date;
}): ServiceBusMessage {
  const tenantId = order.tenantId ?? 'contoso';
  return {
    messageId: order.messageId,
    contentType: 'application/json',
    applicationProperties: { eventType: 'order.placed', tenantId, ...order.properties },
    body: {
      messageId: order.messageId,
      eventId: randomUUID(),
      eventType: 'order.placed',
      tenantId,
      occurredAt: (order.occurredAt ?? new Date()).toISOString(),
      data: {
        orderId: order.orderId,
        customerId: `c-${order.orderId}`,
        accountId: `a-${order.orderId}`,
        channel: 'web',
        currency: 'EUR',
        totalAmount: order.totalAmount,
        shippingCountry: 'DE',
        lines: [
          { sku: 'sku-1', productName: 'Lamp', category: 'home', quantity: 1, unitPrice: order.totalAmount },
        ],
      },
    },
  };
}

/**
 * Sends an order event to the instance's topic with the real Service Bus SDK and resolves once a batch of
 * RawOrderEvents is committed (its rows are queryable through the update policy).
 */
export async function ingestOrderPlaced(
  instance: KqlgateInstance,
  message: ServiceBusMessage,
): Promise<void> {
  const committed = new Promise<void>((resolve) => {
    const off = instance.app.get(IngestionEvents).onBatchCommitted((event) => {
      if (event.table === 'RawOrderEvents') {
        off();
        resolve();
      }
    });
  });
  const client = new ServiceBusClient(instance.config.serviceBusConnectionString!);
  const sender = client.createSender(instance.config.SERVICEBUS_TOPIC);
  try {
    await sender.sendMessages(message);
  } finally {
    await sender.close();
    await client.close();
  }
  await committed;
}
