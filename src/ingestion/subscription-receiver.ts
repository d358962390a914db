/**
 * The pipeline's only door to Service Bus: a peek-lock receiver on the topic subscription with the SDK's
 * streaming `subscribe()`. The SDK grants `maxConcurrentCalls` credits and tops one up each time our handler
 * returns, so the handler awaiting pipeline admission IS the backpressure: while the pipeline is paused or full,
 * handlers stay pending, credit stays at zero and the broker keeps the rest. The SDK renews the lock of every
 * message it delivered until we settle it (maxAutoLockRenewalDurationInMs), covering batches held by back-off.
 *
 * Bodies are delivered raw (skipParsingBodyAsJson), so that admission can measure a body's size before anything
 * parses it; the pipeline then decodes them as the SDK would have (event-encoder `decodeBody`).
 */
import { DefaultAzureCredential } from '@azure/identity';
import {
  ServiceBusClient,
  type ProcessErrorArgs,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { SettlementGate } from './settlement-gate.js';

/** The fields of a received message the pipeline reads; `handle` is what settlement needs back. */
export interface SourceMessage {
  messageId: string;
  body: unknown;
  applicationProperties?: Record<string, unknown>;
  enqueuedTimeUtc?: Date;
  deliveryCount: number;
  handle: unknown;
}

export interface MessageSource {
  subscribe(
    handler: (message: SourceMessage) => Promise<void>,
    onError: (error: Error, where: string) => void,
  ): void;
  /** Stops delivering new messages; settlement of delivered ones keeps working until close(). */
  stopReceiving(): Promise<void>;
  complete(message: SourceMessage): Promise<void>;
  abandon(message: SourceMessage): Promise<void>;
  deadLetter(message: SourceMessage, reason: string, description: string): Promise<void>;
  /** Resolves when the broker answers (used by the readiness check after errors). */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export interface SubscriptionReceiverOptions {
  /** A connection string, or else a fully qualified namespace reached with DefaultAzureCredential. */
  connectionString?: string;
  namespace?: string;
  topic: string;
  subscription: string;
  /** Credit window: messages the broker may push before our handler returns (SERVICEBUS_MAX_CONCURRENT). */
  maxConcurrentCalls: number;
  maxAutoLockRenewalDurationMs: number;
}

export class SubscriptionReceiver implements MessageSource {
  private readonly client: ServiceBusClient;
  private readonly receiver: ServiceBusReceiver;
  private subscription?: { close(): Promise<void> };
  /** Keeps different outcomes out of one disposition frame (see SettlementGate). */
  private readonly settlements = new SettlementGate();
  /**
   * Ends the SDK's attempts to attach the link. Until a link is attached, subscribe() retries forever and sleeps
   * retryDelayInMs (30 s by default) after each failed attempt or cycle — the broker unreachable, the entity not
   * there yet. The subscription's close() waits for that sleep to end and the receiver's close() does not end it;
   * only the abort signal handed to subscribe() cuts it short.
   */
  private readonly stopped = new AbortController();

  constructor(private readonly options: SubscriptionReceiverOptions) {
    if (options.connectionString) {
      this.client = new ServiceBusClient(options.connectionString);
    } else if (options.namespace) {
      this.client = new ServiceBusClient(options.namespace, new DefaultAzureCredential());
    } else {
      throw new Error('SubscriptionReceiver needs SERVICEBUS_CONNECTION_STRING or SERVICEBUS_NAMESPACE');
    }
    this.receiver = this.client.createReceiver(options.topic, options.subscription, {
      receiveMode: 'peekLock',
      maxAutoLockRenewalDurationInMs: options.maxAutoLockRenewalDurationMs,
      skipParsingBodyAsJson: true,
    });
  }

  subscribe(
    handler: (message: SourceMessage) => Promise<void>,
    onError: (error: Error, where: string) => void,
  ): void {
    this.subscription = this.receiver.subscribe(
      {
        processMessage: (message) => handler(toSourceMessage(message)),
        processError: (args: ProcessErrorArgs) => {
          // Once we stop, the attach in progress ends with an AbortError of our own making: not a receive error.
          if (!(this.stopped.signal.aborted && args.error.name === 'AbortError')) {
            onError(args.error, args.errorSource);
          }
          return Promise.resolve();
        },
      },
      {
        autoCompleteMessages: false,
        maxConcurrentCalls: this.options.maxConcurrentCalls,
        abortSignal: this.stopped.signal,
      },
    );
  }

  async stopReceiving(): Promise<void> {
    // Before the close, which waits for the attach in progress: a link attached by now is not re-attached after
    // a detach either, and messages already delivered are still settled (over the management link if need be).
    this.stopped.abort();
    await this.subscription?.close();
    this.subscription = undefined;
  }

  complete(message: SourceMessage): Promise<void> {
    return this.settlements.run('complete', () =>
      this.receiver.completeMessage(message.handle as ServiceBusReceivedMessage),
    );
  }

  abandon(message: SourceMessage): Promise<void> {
    return this.settlements.run('abandon', () =>
      this.receiver.abandonMessage(message.handle as ServiceBusReceivedMessage),
    );
  }

  deadLetter(message: SourceMessage, reason: string, description: string): Promise<void> {
    // Service Bus caps the description at 4096 characters; engine errors can be longer.
    const shown = description.length > 4000 ? `${description.slice(0, 3997)}...` : description;
    return this.settlements.run(`dead-letter\u0000${reason}\u0000${shown}`, () =>
      this.receiver.deadLetterMessage(message.handle as ServiceBusReceivedMessage, {
        deadLetterReason: reason,
        deadLetterErrorDescription: shown,
      }),
    );
  }

  async probe(): Promise<void> {
    await this.receiver.peekMessages(1);
  }

  async close(): Promise<void> {
    await this.stopReceiving();
    await this.receiver.close();
    await this.client.close();
  }
}

function toSourceMessage(message: ServiceBusReceivedMessage): SourceMessage {
  const id = message.messageId;
  return {
    // The broker stamps an id on every message; fall back to the sequence number only for odd producers.
    messageId:
      id === undefined
        ? `seq:${String(message.sequenceNumber)}`
        : Buffer.isBuffer(id)
          ? id.toString('hex')
          : String(id),
    body: message.body,
    applicationProperties: message.applicationProperties,
    enqueuedTimeUtc: message.enqueuedTimeUtc,
    deliveryCount: message.deliveryCount ?? 0,
    handle: message,
  };
}
