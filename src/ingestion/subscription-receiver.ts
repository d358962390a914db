/**
 * The pipeline's only door to Service Bus: a peek-lock receiver on the topic subscription with the SDK's
 * streaming `subscribe()`. The SDK grants `maxConcurrentCalls` credits and tops one up each time our handler
 * returns, so the handler awaiting pipeline admission IS the backpressure: while the pipeline is paused or full,
 * handlers stay pending, credit stays at zero and the broker keeps the rest. The SDK renews the lock of every
 * message it delivered until we settle it (maxAutoLockRenewalDurationInMs), covering batches held by back-off.
 *
 * Bodies are delivered raw (skipParsingBodyAsJson), so that admission can measure a body's size before anything
 * parses it; the pipeline then decodes them as the SDK would have (event-encoder `decodeBody`).
 *
 * After the link is lost (broker restart, network blip) the SDK re-attaches it forever, sleeping its retry delay
 * between attempts — 30 s by default, whatever the outage length. The client's retry options make that an
 * exponential back-off from RECONNECT_BACKOFF.initialMs to RECONNECT_BACKOFF.maxMs, so reception resumes within
 * seconds of the broker's return. The same options govern settlement retries, which gain from them as well.
 */
import {
  RetryMode,
  ServiceBusClient,
  type MessageHandlers,
  type ProcessErrorArgs,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { azureCredential } from '../common/azure/azure-credential.js';
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
  /**
   * `onLink(true)` each time the receive link is attached, `onLink(false)` each time it is lost or (re)attaching —
   * the receiver's real state, which readiness reports.
   */
  subscribe(
    handler: (message: SourceMessage) => Promise<void>,
    onError: (error: Error, where: string) => void,
    onLink: (attached: boolean) => void,
  ): void;
  /** Stops delivering new messages; settlement of delivered ones keeps working until close(). */
  stopReceiving(): Promise<void>;
  complete(message: SourceMessage): Promise<void>;
  abandon(message: SourceMessage): Promise<void>;
  deadLetter(message: SourceMessage, reason: string, description: string): Promise<void>;
  close(): Promise<void>;
}

/** Delay between attempts to re-attach a lost link: the SDK's initialMs × (2ⁿ − 1), ±20 % jitter, capped at maxMs. */
export const RECONNECT_BACKOFF = Object.freeze({ initialMs: 250, maxMs: 2_000 });

/**
 * Hooks @azure/service-bus 7 calls around every attach of a streaming receiver's link — before it starts one
 * (the first, and each after a detach) and once it is attached. They are the SDK's InternalMessageHandlers,
 * not public API: the public surface has no link state at all. The broker-blip integration test pins them: an SDK
 * that stops calling them fails it.
 */
interface LinkHooks {
  preInitialize(): Promise<void>;
  postInitialize(): Promise<void>;
}

export interface SubscriptionReceiverOptions {
  /**
   * A connection string (its shared access key, or none with `UseDevelopmentEmulator=true`), or else a fully
   * qualified namespace reached with Entra ID (the process's shared DefaultAzureCredential).
   */
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
   * its retry delay (up to RECONNECT_BACKOFF.maxMs here, 30 s by the SDK's default) after each failed attempt or
   * cycle — the broker unreachable, the entity not there yet. The subscription's close() waits for that sleep to end and the receiver's close() does not end it;
   * only the abort signal handed to subscribe() cuts it short.
   */
  private readonly stopped = new AbortController();

  constructor(private readonly options: SubscriptionReceiverOptions) {
    const clientOptions = {
      retryOptions: {
        mode: RetryMode.Exponential,
        retryDelayInMs: RECONNECT_BACKOFF.initialMs,
        maxRetryDelayInMs: RECONNECT_BACKOFF.maxMs,
      },
    };
    if (options.connectionString) {
      this.client = new ServiceBusClient(options.connectionString, clientOptions);
    } else if (options.namespace) {
      this.client = new ServiceBusClient(options.namespace, azureCredential(), clientOptions);
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
    onLink: (attached: boolean) => void,
  ): void {
    const handlers: MessageHandlers & LinkHooks = {
      processMessage: (message) => handler(toSourceMessage(message)),
      processError: (args: ProcessErrorArgs) => {
        // Once we stop, the attach in progress ends with an AbortError of our own making: not a receive error.
        if (!(this.stopped.signal.aborted && args.error.name === 'AbortError')) {
          onError(args.error, args.errorSource);
        }
        return Promise.resolve();
      },
      preInitialize: () => {
        onLink(false);
        return Promise.resolve();
      },
      postInitialize: () => {
        onLink(true);
        return Promise.resolve();
      },
    };
    this.subscription = this.receiver.subscribe(handlers, {
      autoCompleteMessages: false,
      maxConcurrentCalls: this.options.maxConcurrentCalls,
      abortSignal: this.stopped.signal,
    });
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
