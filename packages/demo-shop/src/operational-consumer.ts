/**
 * The demo's operational consumer: the stand-in for the architecture's function app (Azure Functions with a Service
 * Bus trigger writing to Azure SQL). It reads the topic's `operational` subscription with the real
 * `@azure/service-bus` SDK and writes every event into the operational database (operational-store.ts, SQLite
 * standing in for Azure SQL). Without it nothing reads `operational`, and with the topic's 14-day TTL the broker's
 * store grows with every event published.
 *
 * One loop, peek-lock:
 * 1. receive up to `maxBatch` messages;
 * 2. decode each; a poison message (not one JSON event of docs/events.md) is dead-lettered with its reason and the
 *    exact problem, since no retry can fix it;
 * 3. write the rest in one SQLite transaction, upserting by MessageId;
 * 4. only after the commit, complete them. If the write fails, nothing was committed: the messages are abandoned,
 *    the broker redelivers them after a back-off, and after MaxDeliveryCount deliveries dead-letters them. If the
 *    write was one bad row's fault, the others still go through (the batch is retried message by message).
 *
 * A crash or a lost lock between commit and completion redelivers messages that are already written; the upsert
 * leaves their rows unchanged, so the operational database holds each event once whatever happens. `close()`
 * finishes the batch in hand (write and settle), then stops.
 */
import {
  RetryMode,
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { silentLogger, type Logger } from './logging/logger.js';
import {
  decodeOperationalEvent,
  OperationalDeadLetterReason,
  PoisonMessageError,
  type OperationalEvent,
} from './operational-event-decoder.js';
import {
  OperationalStore,
  operationalStorePath,
  type OperationalEventWriter,
  type OperationalWriteResult,
} from './operational-store.js';

/** The subscription of docs/architecture.md that the operational side reads. */
export const OPERATIONAL_SUBSCRIPTION = 'operational';

export interface OperationalConsumerOptions {
  /** Service Bus connection string (Azure, or the embedded broker's `UseDevelopmentEmulator=true` one). */
  connectionString: string;
  topic: string;
  /** Default `operational`. */
  subscription?: string;
  /** The database is `<dataDir>/demo/operational.sqlite`. */
  dataDir: string;
  /** Where the consumer logs; default: nowhere. */
  logger?: Logger;
  /** Messages received, and written in one transaction, at a time. Default 200. */
  maxBatch?: number;
  /** How long one receive waits for a first message; also how long `close()` may wait for it. Default 1 000 ms. */
  maxWaitMs?: number;
  /** Back-off after a failed receive or write: doubles from `initialMs` up to `maxMs`. Default 500 ms to 30 s. */
  backoff?: { initialMs: number; maxMs: number };
  /** Replaces the SQLite store (tests inject faults around it). */
  store?: OperationalEventWriter;
}

export interface OperationalConsumerStats {
  /** Messages received (redeliveries included). */
  received: number;
  /** Rows inserted or replaced. */
  written: number;
  /** Redelivered events already in the database: nothing changed. */
  unchanged: number;
  deadLettered: number;
  /** Messages given back to the broker because their write failed. */
  abandoned: number;
  lastError: string | null;
}

interface Pending {
  readonly message: ServiceBusReceivedMessage;
  readonly event: OperationalEvent;
}

export class OperationalConsumer {
  private readonly logger: Logger;
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly stopped = new AbortController();
  /**
   * Aborts the receive in progress. One per receive: the SDK leaves an abort listener on the signal it is given
   * after each receiveMessages call, so one signal for the consumer's lifetime would collect them without end.
   */
  private receiving?: AbortController;
  private store?: OperationalEventWriter;
  private client?: ServiceBusClient;
  private receiver?: ServiceBusReceiver;
  private loop?: Promise<void>;
  private closing?: Promise<void>;
  /** Failed receives or writes in a row. */
  private failures = 0;
  private readonly counts: OperationalConsumerStats = {
    received: 0,
    written: 0,
    unchanged: 0,
    deadLettered: 0,
    abandoned: 0,
    lastError: null,
  };

  constructor(private readonly options: OperationalConsumerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.maxBatch = options.maxBatch ?? 200;
    this.maxWaitMs = options.maxWaitMs ?? 1_000;
    this.backoff = options.backoff ?? { initialMs: 500, maxMs: 30_000 };
  }

  get storeFile(): string {
    return operationalStorePath(this.options.dataDir);
  }

  get subscription(): string {
    return this.options.subscription ?? OPERATIONAL_SUBSCRIPTION;
  }

  /** Opens the database and starts receiving in the background; returns at once. */
  start(): Promise<void> {
    // A failure to open the database rejects (the executor's throw), as an async start would.
    return new Promise((resolve) => {
      this.open();
      resolve();
    });
  }

  private open(): void {
    if (this.store) {
      throw new Error('OperationalConsumer.start: already started');
    }
    this.store = this.options.store ?? OperationalStore.open(this.storeFile);
    this.client = new ServiceBusClient(this.options.connectionString, {
      // A broker that went away is retried within seconds of its return, not after the SDK's default 30 s.
      retryOptions: { retryDelayInMs: 1_000, maxRetryDelayInMs: 10_000, mode: RetryMode.Exponential },
    });
    this.receiver = this.client.createReceiver(this.options.topic, this.subscription, {
      receiveMode: 'peekLock',
    });
    this.loop = this.run(this.receiver, this.store);
    this.logger.info(
      { topic: this.options.topic, subscription: this.subscription, store: this.storeFile },
      'demo operational consumer: writing the operational subscription into the operational database',
    );
  }

  stats(): OperationalConsumerStats {
    return { ...this.counts };
  }

  /** Finishes the batch in hand (its write and settlement), then closes the receiver, the client and the database. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped.abort();
      this.receiving?.abort();
      await this.loop;
      await this.receiver?.close();
      await this.client?.close();
      this.store?.close();
      const { received, written, unchanged, deadLettered, abandoned } = this.counts;
      this.logger.info(
        { received, written, unchanged, deadLettered, abandoned },
        'demo operational consumer stopped',
      );
    })();
    return this.closing;
  }

  private async run(receiver: ServiceBusReceiver, store: OperationalEventWriter): Promise<void> {
    while (!this.stopped.signal.aborted) {
      let messages: ServiceBusReceivedMessage[];
      this.receiving = new AbortController();
      try {
        messages = await receiver.receiveMessages(this.maxBatch, {
          maxWaitTimeInMs: this.maxWaitMs,
          abortSignal: this.receiving.signal,
        });
      } catch (error) {
        if (this.stopped.signal.aborted) {
          return;
        }
        this.failed(error, 'receiving from the operational subscription failed; retrying');
        await this.sleep();
        continue;
      }
      if (messages.length === 0) {
        continue;
      }
      this.counts.received += messages.length;
      // Once received, a batch is written and settled even if a close arrives meanwhile.
      if (await this.handle(receiver, store, messages)) {
        this.recovered();
      } else {
        await this.sleep();
      }
    }
  }

  /** Handles one received batch; false when some write failed (the caller backs off). */
  private async handle(
    receiver: ServiceBusReceiver,
    store: OperationalEventWriter,
    messages: readonly ServiceBusReceivedMessage[],
  ): Promise<boolean> {
    const pending: Pending[] = [];
    for (const message of messages) {
      try {
        pending.push({ message, event: decodeOperationalEvent(message) });
      } catch (error) {
        // One at a time, each awaited: see SETTLEMENT below.
        await this.deadLetter(receiver, message, error);
      }
    }
    if (pending.length === 0) {
      return true;
    }
    const batch = this.write(store, pending);
    if (batch.ok) {
      await this.settle(pending, (m) => receiver.completeMessage(m), 'complete');
      return true;
    }
    // The batch as a whole failed: message by message, so that one bad row does not hold back the others.
    const written: Pending[] = [];
    const failed: { entry: Pending; error: unknown }[] = [];
    for (const entry of pending) {
      const single = this.write(store, [entry]);
      if (single.ok) {
        written.push(entry);
      } else {
        failed.push({ entry, error: single.error });
      }
    }
    // Completions first, abandons after they are done: see SETTLEMENT below.
    await this.settle(written, (m) => receiver.completeMessage(m), 'complete');
    if (failed.length === 0) {
      return true;
    }
    this.counts.abandoned += failed.length;
    const first = failed[0];
    this.failed(
      first.error,
      'writing to the operational database failed; abandoning the messages for redelivery',
      {
        abandoned: failed.length,
        of: pending.length,
        messageId: first.entry.event.messageId,
        eventType: first.entry.event.eventType,
        deliveryCount: first.entry.message.deliveryCount,
      },
    );
    // Nothing of theirs was committed: give them back; the broker redelivers them (and dead-letters them after
    // MaxDeliveryCount deliveries).
    await this.settle(
      failed.map((f) => f.entry),
      (m) => receiver.abandonMessage(m),
      'abandon',
    );
    return false;
  }

  private write(
    store: OperationalEventWriter,
    pending: readonly Pending[],
  ): { ok: true; result: OperationalWriteResult } | { ok: false; error: unknown } {
    try {
      const result = store.write(
        pending.map((p) => p.event),
        Date.now(),
      );
      this.counts.written += result.written;
      this.counts.unchanged += result.unchanged;
      return { ok: true, result };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private async deadLetter(
    receiver: ServiceBusReceiver,
    message: ServiceBusReceivedMessage,
    error: unknown,
  ): Promise<void> {
    const poison =
      error instanceof PoisonMessageError
        ? error
        : new PoisonMessageError(
            // decodeOperationalEvent throws nothing else; kept total so that no message can stop the loop.
            OperationalDeadLetterReason.ContractViolation,
            String(error),
            String(message.messageId),
          );
    this.counts.deadLettered++;
    this.logger.warn(
      { messageId: poison.messageId, reason: poison.reason, description: poison.description },
      'demo operational consumer: dead-lettering a message it can never write',
    );
    await this.settle(
      [{ message }],
      (m) =>
        receiver.deadLetterMessage(m, {
          deadLetterReason: poison.reason,
          deadLetterErrorDescription: poison.description,
        }),
      'dead-letter',
    );
  }

  /**
   * Settles messages; a settlement that fails (lock lost, connection gone) is logged and left to the broker, which
   * redelivers the message once its lock expires — harmless, since its write is idempotent.
   *
   * SETTLEMENT: only messages with the same outcome are settled concurrently. rhea (3.0.5, under the SDK) writes the
   * dispositions of one receiver's deliveries that were updated in the same turn as ranges, and merges the second
   * delivery into the first one's range without comparing their outcomes: a dead-letter settled together with the
   * completion just before it was completed (the poison message lost), and two dead-letters shared the first one's
   * reason and description. Awaiting each settlement before one with another outcome (or another dead-letter
   * reason) keeps every disposition frame to one outcome.
   */
  private async settle(
    entries: readonly { message: ServiceBusReceivedMessage }[],
    settle: (message: ServiceBusReceivedMessage) => Promise<void>,
    what: string,
  ): Promise<void> {
    const results = await Promise.allSettled(entries.map((e) => settle(e.message)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      const reason = (results[failed] as PromiseRejectedResult).reason as unknown;
      this.logger.warn(
        {
          err: reason,
          messageId: String(entries[failed].message.messageId),
          failed: results.filter((r) => r.status === 'rejected').length,
        },
        `demo operational consumer: could not ${what} messages; the broker redelivers them and the write is idempotent`,
      );
    }
  }

  private failed(error: unknown, message: string, facts: Record<string, unknown> = {}): void {
    this.counts.lastError = error instanceof Error ? error.message : String(error);
    this.failures++;
    // The first failure in a row, then every 20th, so an outage does not flood the log.
    if (this.failures === 1 || this.failures % 20 === 0) {
      this.logger.warn(
        { err: error, failures: this.failures, ...facts },
        `demo operational consumer: ${message}`,
      );
    }
  }

  private recovered(): void {
    if (this.failures > 0) {
      this.logger.info({ failures: this.failures }, 'demo operational consumer: writing again');
      this.failures = 0;
      this.counts.lastError = null;
    }
  }

  /** Waits the back-off of the current run of failures, or until close(). */
  private sleep(): Promise<void> {
    const ms = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(this.failures - 1, 20));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.stopped.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.stopped.signal.addEventListener('abort', done);
    });
  }
}
