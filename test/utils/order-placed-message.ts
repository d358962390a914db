import { randomUUID } from 'node:crypto';
import type { ServiceBusMessage } from '@azure/service-bus';

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
      occurredAt: new Date().toISOString(),
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
