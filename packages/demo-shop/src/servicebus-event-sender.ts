/**
 * Publishes outbox rows to the Service Bus topic with the real `@azure/service-bus` SDK: the same code path
 * for Azure and the embedded broker. Messages follow docs/events.md §1: the stored JSON text as the body, the
 * event's MessageId, `contentType` application/json, `subject` and application properties `eventType` and
 * `tenantId`. Sending the stored bytes (not a re-serialised object) keeps SQLite and the broker identical.
 */
import {
  ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusMessageBatch,
  type ServiceBusSender,
} from '@azure/service-bus';
import type { OutboxMessage } from './oltp-store.js';

/** Anything that can publish outbox rows: the SDK sender in production, fault-injecting doubles in tests. */
export interface EventSender {
  /** Resolves once every message was accepted by the broker; rejects if any batch failed. */
  send(messages: readonly OutboxMessage[]): Promise<void>;
  close(): Promise<void>;
}

export function toServiceBusMessage(m: OutboxMessage): ServiceBusMessage {
  return {
    body: Buffer.from(m.body, 'utf8'),
    messageId: m.messageId,
    contentType: 'application/json',
    subject: m.eventType,
    applicationProperties: { eventType: m.eventType, tenantId: m.tenantId },
  };
}

export class ServiceBusEventSender implements EventSender {
  private readonly client: ServiceBusClient;
  private readonly sender: ServiceBusSender;

  constructor(connectionString: string, topic: string) {
    this.client = new ServiceBusClient(connectionString);
    this.sender = this.client.createSender(topic);
  }

  async send(messages: readonly OutboxMessage[]): Promise<void> {
    let batch: ServiceBusMessageBatch | undefined;
    for (const m of messages) {
      const message = toServiceBusMessage(m);
      batch ??= await this.sender.createMessageBatch();
      if (batch.tryAddMessage(message)) {
        continue;
      }
      if (batch.count === 0) {
        throw new Error(
          `Demo event ${m.messageId} (${m.eventType}, ${m.body.length} bytes) is larger than the broker's ` +
            `maximum message size of ${batch.maxSizeInBytes} bytes`,
        );
      }
      await this.sender.sendMessages(batch);
      batch = await this.sender.createMessageBatch();
      if (!batch.tryAddMessage(message)) {
        throw new Error(
          `Demo event ${m.messageId} (${m.eventType}) does not fit an empty batch of ${batch.maxSizeInBytes} bytes`,
        );
      }
    }
    if (batch && batch.count > 0) {
      await this.sender.sendMessages(batch);
    }
  }

  async close(): Promise<void> {
    await this.sender.close();
    await this.client.close();
  }
}
