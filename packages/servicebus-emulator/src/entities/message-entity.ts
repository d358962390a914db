/**
 * One receivable entity — queue, subscription or dead-letter sub-queue — in memory: the ordered ready queue,
 * the locks held by receivers, deferred and scheduled messages, sessions and session locks, and the attached
 * consumers. Every change of stored state goes through `MessageStore` first; in-memory state follows in the
 * commit callback, so nothing is delivered or acknowledged before it is durable.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import { APPLICATION_PROPERTIES, mergeMapSection } from '../amqp/message-codec.js';
import { amqpTypes, type AmqpTyped } from '../amqp/rhea-codec.js';
import { BrokerErrorCode, lockLost, ServiceBusBrokerError } from '../errors/servicebus-broker-error.js';
import type { MessageStore, StoreCallback } from '../store/message-store.js';
import { MessageState, type StoredMessage } from '../store/stored-message.js';
import type { EntityProperties } from './entity-config.js';
import type { MessageConsumer } from './message-consumer.js';
import { ReadyQueue } from './ready-queue.js';

export type Done = (error?: Error) => void;

export type EntityKind = 'queue' | 'subscription' | 'deadletter' | 'topic-schedule';

export interface DeadLetterInfo {
  readonly reason: string;
  readonly description: string;
  readonly properties?: Record<string, unknown>;
}

interface SessionLock {
  consumer: MessageConsumer;
  lockedUntil: number;
}

interface SessionWaiter {
  consumer: MessageConsumer;
  timer: NodeJS.Timeout;
  grant: (error: Error | undefined, sessionId?: string, lockedUntil?: number) => void;
}

export const REASON_MAX_DELIVERY = 'MaxDeliveryCountExceeded';
export const REASON_TTL_EXPIRED = 'TTLExpiredException';

function toTyped(value: unknown): AmqpTyped {
  return amqpTypes.wrap(value);
}

export class MessageEntity {
  /** Every message of the entity by sequence number (active, locked, deferred, scheduled). */
  readonly messages = new Map<number, StoredMessage>();
  private readonly ready = new Map<string, ReadyQueue>();
  private readonly locks = new Map<string, StoredMessage>();
  private readonly lockTimers = new Map<string, NodeJS.Timeout>();
  private readonly lockOwners = new Map<string, MessageConsumer>();
  private readonly consumers: MessageConsumer[] = [];
  private readonly sessionLocks = new Map<string, SessionLock>();
  private readonly sessionWaiters: SessionWaiter[] = [];
  readonly sessionStates = new Map<string, Buffer>();
  private nextConsumer = 0;
  private pumping = false;
  private lastSequence = 0;
  /** Earliest expiresAt among messages, so the expiry sweep skips entities with nothing due. */
  private nextExpiryAt = Number.POSITIVE_INFINITY;
  nextScheduledAt = Number.POSITIVE_INFINITY;
  deadLetterQueue: MessageEntity | undefined;

  constructor(
    readonly kind: EntityKind,
    /** Path as configured, e.g. `oltp-events/Subscriptions/analytics`. */
    readonly path: string,
    readonly properties: EntityProperties,
    private readonly store: MessageStore,
    private readonly logger: Logger,
  ) {}

  get key(): string {
    return this.path.toLowerCase();
  }

  get requiresSession(): boolean {
    return this.properties.requiresSession && this.kind !== 'deadletter';
  }

  nextSequenceNumber(): number {
    return ++this.lastSequence;
  }

  get lastSequenceNumber(): number {
    return this.lastSequence;
  }

  restoreSequence(last: number): void {
    this.lastSequence = Math.max(this.lastSequence, last);
  }

  get activeMessageCount(): number {
    let count = 0;
    for (const queue of this.ready.values()) {
      count += queue.size;
    }
    return count + this.locks.size;
  }

  /** Messages now durable in this entity (new, restored at start, moved here) join the in-memory state. */
  add(message: StoredMessage): void {
    this.messages.set(message.sequenceNumber, message);
    this.lastSequence = Math.max(this.lastSequence, message.sequenceNumber);
    if (message.expiresAt !== null && message.expiresAt < this.nextExpiryAt) {
      this.nextExpiryAt = message.expiresAt;
    }
    switch (message.state) {
      case MessageState.Active:
        this.readyQueue(message.sessionId).push(message);
        if (message.sessionId !== null) {
          this.offerSession(message.sessionId);
        }
        break;
      case MessageState.Scheduled:
        if (message.scheduledAt !== null && message.scheduledAt < this.nextScheduledAt) {
          this.nextScheduledAt = message.scheduledAt;
        }
        break;
      case MessageState.Deferred:
        break;
      default:
        break;
    }
  }

  private readyQueue(sessionId: string | null): ReadyQueue {
    const key = this.requiresSession ? (sessionId ?? '') : '';
    let queue = this.ready.get(key);
    if (!queue) {
      queue = new ReadyQueue();
      this.ready.set(key, queue);
    }
    return queue;
  }

  // ---- consumers and delivery -------------------------------------------------------------------------------

  attach(consumer: MessageConsumer): void {
    this.consumers.push(consumer);
    this.pump();
  }

  detach(consumer: MessageConsumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) {
      this.consumers.splice(index, 1);
    }
    const waiter = this.sessionWaiters.findIndex((w) => w.consumer === consumer);
    if (waiter >= 0) {
      clearTimeout(this.sessionWaiters[waiter].timer);
      this.sessionWaiters.splice(waiter, 1);
    }
    if (consumer.sessionId !== null && this.sessionLocks.get(consumer.sessionId)?.consumer === consumer) {
      this.sessionLocks.delete(consumer.sessionId);
      // Session message locks die with the session lock: what the receiver still held becomes available again.
      for (const [token, owner] of this.lockOwners) {
        if (owner === consumer) {
          const message = this.locks.get(token);
          if (message) {
            this.releaseLock(message, true, undefined, () => undefined);
          }
        }
      }
      if (this.readyQueue(consumer.sessionId).size > 0) {
        this.offerSession(consumer.sessionId);
      }
    }
  }

  /** Delivers ready messages to consumers with credit, round-robin. Safe to call at any time. */
  pump(): void {
    if (this.pumping || this.consumers.length === 0) {
      return;
    }
    this.pumping = true;
    try {
      if (this.requiresSession) {
        for (const consumer of this.consumers) {
          if (consumer.sessionId !== null) {
            this.drainInto(consumer, this.readyQueue(consumer.sessionId));
          }
        }
        return;
      }
      const queue = this.readyQueue(null);
      let idle = 0;
      while (queue.size > 0 && idle < this.consumers.length) {
        this.nextConsumer = (this.nextConsumer + 1) % this.consumers.length;
        const consumer = this.consumers[this.nextConsumer];
        if (consumer.credit() <= 0) {
          idle++;
          continue;
        }
        idle = 0;
        const message = queue.shift();
        if (message) {
          this.deliverTo(consumer, message);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private drainInto(consumer: MessageConsumer, queue: ReadyQueue): void {
    while (queue.size > 0 && consumer.credit() > 0) {
      const message = queue.shift();
      if (message) {
        this.deliverTo(consumer, message);
      }
    }
  }

  private deliverTo(consumer: MessageConsumer, message: StoredMessage): void {
    const now = Date.now();
    if (message.expiresAt !== null && message.expiresAt <= now) {
      this.expire(message);
      return;
    }
    if (consumer.mode === 'receiveAndDelete') {
      this.messages.delete(message.sequenceNumber);
      this.store.remove([message.id], (error) => {
        if (error) {
          this.logger.error({ err: error, entity: this.path }, 'receive-and-delete removal failed');
        }
      });
      consumer.deliver(message);
      return;
    }
    this.lock(message, consumer, now);
    consumer.deliver(message);
  }

  private lock(message: StoredMessage, consumer: MessageConsumer | undefined, now: number): void {
    const token = randomUUID();
    message.lockToken = token;
    message.lockedUntil = now + this.properties.lockDurationMs;
    this.locks.set(token, message);
    if (consumer) {
      this.lockOwners.set(token, consumer);
    }
    this.armLockTimer(token, this.properties.lockDurationMs);
  }

  private armLockTimer(token: string, ms: number): void {
    const previous = this.lockTimers.get(token);
    if (previous) {
      clearTimeout(previous);
    }
    const timer = setTimeout(() => {
      const message = this.locks.get(token);
      if (message) {
        this.logger.debug(
          { entity: this.path, sequenceNumber: message.sequenceNumber },
          'message lock expired',
        );
        this.releaseLock(message, true, undefined, () => undefined);
      }
    }, ms);
    timer.unref();
    this.lockTimers.set(token, timer);
  }

  private clearLock(message: StoredMessage): void {
    const token = message.lockToken;
    if (token !== undefined) {
      this.locks.delete(token);
      this.lockOwners.delete(token);
      const timer = this.lockTimers.get(token);
      if (timer) {
        clearTimeout(timer);
        this.lockTimers.delete(token);
      }
    }
    message.lockToken = undefined;
    message.lockedUntil = undefined;
  }

  lockedMessage(lockToken: string): StoredMessage {
    const message = this.locks.get(lockToken);
    if (!message) {
      throw lockLost(lockToken);
    }
    return message;
  }

  // ---- settlement ---------------------------------------------------------------------------------------------

  complete(lockToken: string, done: Done): void {
    const message = this.locks.get(lockToken);
    if (!message) {
      done(lockLost(lockToken));
      return;
    }
    this.clearLock(message);
    this.messages.delete(message.sequenceNumber);
    this.store.remove([message.id], (error) => {
      if (error) {
        this.logger.error({ err: error, entity: this.path }, 'complete failed');
      }
      done(error);
    });
  }

  abandon(lockToken: string, propertiesToModify: Record<string, unknown> | undefined, done: Done): void {
    const message = this.locks.get(lockToken);
    if (!message) {
      done(lockLost(lockToken));
      return;
    }
    this.releaseLock(message, true, propertiesToModify, done);
  }

  /** Abandon and lock expiry: count the attempt, apply property changes, dead-letter at max delivery count. */
  private releaseLock(
    message: StoredMessage,
    countAttempt: boolean,
    propertiesToModify: Record<string, unknown> | undefined,
    done: Done,
  ): void {
    this.clearLock(message);
    if (countAttempt) {
      message.deliveryCount++;
    }
    if (propertiesToModify && Object.keys(propertiesToModify).length > 0) {
      message.applicationProperties = mergeMapSection(
        message.applicationProperties,
        APPLICATION_PROPERTIES,
        Object.entries(propertiesToModify).map(([k, v]) => [k, toTyped(v)] as const),
        false,
      );
    }
    if (this.kind !== 'deadletter' && message.deliveryCount >= this.properties.maxDeliveryCount) {
      this.deadLetter(
        message,
        {
          reason: REASON_MAX_DELIVERY,
          description: `Message could not be consumed after ${this.properties.maxDeliveryCount} delivery attempts.`,
        },
        done,
      );
      return;
    }
    this.store.updateDelivery(message, (error) => {
      if (
        !error &&
        message.state === MessageState.Active &&
        this.messages.get(message.sequenceNumber) === message
      ) {
        this.readyQueue(message.sessionId).push(message);
        if (message.sessionId !== null) {
          this.offerSession(message.sessionId);
        }
        this.pump();
      }
      done(error);
    });
  }

  defer(lockToken: string, propertiesToModify: Record<string, unknown> | undefined, done: Done): void {
    const message = this.locks.get(lockToken);
    if (!message) {
      done(lockLost(lockToken));
      return;
    }
    this.clearLock(message);
    message.state = MessageState.Deferred;
    if (propertiesToModify && Object.keys(propertiesToModify).length > 0) {
      message.applicationProperties = mergeMapSection(
        message.applicationProperties,
        APPLICATION_PROPERTIES,
        Object.entries(propertiesToModify).map(([k, v]) => [k, toTyped(v)] as const),
        false,
      );
    }
    this.store.updateDelivery(message, done);
  }

  deadLetterByLock(lockToken: string, info: DeadLetterInfo, done: Done): void {
    const message = this.locks.get(lockToken);
    if (!message) {
      done(lockLost(lockToken));
      return;
    }
    this.deadLetter(message, info, done);
  }

  /** Moves a message to this entity's dead-letter sub-queue with the reason the SDK reads back. */
  deadLetter(message: StoredMessage, info: DeadLetterInfo, done: Done): void {
    const target = this.deadLetterQueue;
    if (!target) {
      // A dead-letter queue's own messages cannot be dead-lettered again; completing them is the way out.
      done(
        new ServiceBusBrokerError(
          BrokerErrorCode.NotAllowed,
          `Messages in the dead-letter queue '${this.path}' cannot be dead-lettered again.`,
        ),
      );
      return;
    }
    this.clearLock(message);
    this.messages.delete(message.sequenceNumber);
    const extra = Object.entries(info.properties ?? {}).filter(
      ([key]) => key !== 'DeadLetterReason' && key !== 'DeadLetterErrorDescription',
    );
    message.applicationProperties = mergeMapSection(
      message.applicationProperties,
      APPLICATION_PROPERTIES,
      [
        ['DeadLetterReason', amqpTypes.wrap_string(info.reason)],
        ['DeadLetterErrorDescription', amqpTypes.wrap_string(info.description)],
        ...extra.map(([k, v]) => [k, toTyped(v)] as const),
      ],
      false,
    );
    message.entity = target.key;
    message.state = MessageState.Active;
    // Dead letters stay until someone removes them: TTL no longer applies.
    message.expiresAt = null;
    message.deadLetterSource = this.path;
    this.store.move(message, (error) => {
      if (!error) {
        target.add(message);
        target.pump();
      }
      done(error);
    });
  }

  renewLock(lockToken: string): number {
    const message = this.lockedMessage(lockToken);
    message.lockedUntil = Date.now() + this.properties.lockDurationMs;
    this.armLockTimer(lockToken, this.properties.lockDurationMs);
    return message.lockedUntil;
  }

  // ---- expiry and scheduling ----------------------------------------------------------------------------------

  private expire(message: StoredMessage): void {
    if (this.properties.deadLetteringOnMessageExpiration && this.deadLetterQueue) {
      this.deadLetter(
        message,
        { reason: REASON_TTL_EXPIRED, description: 'The message expired and was dead lettered.' },
        (error) => {
          if (error) {
            this.logger.error({ err: error, entity: this.path }, 'dead-lettering an expired message failed');
          }
        },
      );
      return;
    }
    this.clearLock(message);
    this.messages.delete(message.sequenceNumber);
    this.store.remove([message.id], (error) => {
      if (error) {
        this.logger.error({ err: error, entity: this.path }, 'removing an expired message failed');
      }
    });
  }

  /** Expires ready messages whose TTL passed (locked ones expire when their lock ends). */
  sweepExpired(now: number): void {
    if (now < this.nextExpiryAt) {
      return;
    }
    const expired: StoredMessage[] = [];
    for (const queue of this.ready.values()) {
      expired.push(...queue.removeWhere((m) => m.expiresAt !== null && m.expiresAt <= now));
    }
    for (const message of this.messages.values()) {
      if (message.state === MessageState.Deferred && message.expiresAt !== null && message.expiresAt <= now) {
        expired.push(message);
      }
    }
    for (const message of expired) {
      this.expire(message);
    }
    let next = Number.POSITIVE_INFINITY;
    for (const message of this.messages.values()) {
      if (message.expiresAt !== null && message.expiresAt < next) {
        next = message.expiresAt;
      }
    }
    this.nextExpiryAt = next;
  }

  /** Scheduled messages whose time came (for queues: they become active in place). */
  dueScheduled(now: number): StoredMessage[] {
    if (now < this.nextScheduledAt) {
      return [];
    }
    const due: StoredMessage[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const message of this.messages.values()) {
      if (message.state === MessageState.Scheduled && message.scheduledAt !== null) {
        if (message.scheduledAt <= now) {
          due.push(message);
        } else if (message.scheduledAt < next) {
          next = message.scheduledAt;
        }
      }
    }
    this.nextScheduledAt = next;
    return due;
  }

  activateScheduled(messages: StoredMessage[]): void {
    for (const message of messages) {
      message.state = MessageState.Active;
      this.store.setState(message, (error) => {
        if (error) {
          this.logger.error({ err: error, entity: this.path }, 'activating a scheduled message failed');
          return;
        }
        if (this.messages.get(message.sequenceNumber) === message) {
          this.readyQueue(message.sessionId).push(message);
          if (message.sessionId !== null) {
            this.offerSession(message.sessionId);
          }
          this.pump();
        }
      });
    }
  }

  cancelScheduled(sequenceNumbers: number[], done: Done): void {
    const ids: number[] = [];
    for (const seq of sequenceNumbers) {
      const message = this.messages.get(seq);
      if (message && message.state === MessageState.Scheduled) {
        this.messages.delete(seq);
        ids.push(message.id);
      }
    }
    this.store.remove(ids, done);
  }

  // ---- management reads ---------------------------------------------------------------------------------------

  peek(fromSequenceNumber: number, count: number, sessionId: string | null): StoredMessage[] {
    const result: StoredMessage[] = [];
    for (const message of this.messages.values()) {
      if (
        message.sequenceNumber >= fromSequenceNumber &&
        (sessionId === null || message.sessionId === sessionId)
      ) {
        result.push(message);
      }
    }
    result.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
    return result.slice(0, count);
  }

  /** Deferred messages by sequence number; locks them (peek-lock) or removes them (receive-and-delete). */
  receiveDeferred(
    sequenceNumbers: number[],
    peekLock: boolean,
    sessionId: string | null,
    done: (error: Error | undefined, messages: StoredMessage[]) => void,
  ): void {
    const found: StoredMessage[] = [];
    for (const seq of sequenceNumbers) {
      const message = this.messages.get(seq);
      if (
        !message ||
        message.state !== MessageState.Deferred ||
        (sessionId !== null && message.sessionId !== sessionId)
      ) {
        done(
          new ServiceBusBrokerError(
            BrokerErrorCode.MessageNotFound,
            `Failed to retrieve the deferred message with sequence number ${seq} from '${this.path}': it does not exist or is not deferred.`,
            { sequenceNumber: seq },
          ),
          [],
        );
        return;
      }
      if (message.lockToken !== undefined) {
        done(lockLost(message.lockToken), []);
        return;
      }
      found.push(message);
    }
    if (!peekLock) {
      for (const message of found) {
        this.messages.delete(message.sequenceNumber);
      }
      this.store.remove(
        found.map((m) => m.id),
        (error) => done(error, found),
      );
      return;
    }
    const now = Date.now();
    for (const message of found) {
      this.lock(message, undefined, now);
    }
    done(undefined, found);
  }

  // ---- sessions -----------------------------------------------------------------------------------------------

  /**
   * Grants the session lock to a receiver: a named session now (or `SessionCannotBeLocked`), or the next
   * session with available messages, waiting up to `timeoutMs` (then `com.microsoft:timeout`).
   */
  acceptSession(
    consumer: MessageConsumer,
    sessionId: string | null,
    timeoutMs: number,
    grant: (error: Error | undefined, sessionId?: string, lockedUntil?: number) => void,
  ): void {
    if (sessionId !== null) {
      const holder = this.sessionLocks.get(sessionId);
      if (holder && holder.consumer !== consumer) {
        grant(
          new ServiceBusBrokerError(
            BrokerErrorCode.SessionCannotBeLocked,
            `The requested session '${sessionId}' cannot be accepted. It may be locked by another receiver.`,
            { sessionId },
          ),
        );
        return;
      }
      grant(undefined, sessionId, this.lockSession(sessionId, consumer));
      return;
    }
    const candidate = this.availableSession();
    if (candidate !== undefined) {
      grant(undefined, candidate, this.lockSession(candidate, consumer));
      return;
    }
    const waiter: SessionWaiter = {
      consumer,
      grant,
      timer: setTimeout(() => {
        const index = this.sessionWaiters.indexOf(waiter);
        if (index >= 0) {
          this.sessionWaiters.splice(index, 1);
        }
        grant(
          new ServiceBusBrokerError(
            BrokerErrorCode.Timeout,
            `No unlocked session with available messages in '${this.path}' within ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs),
    };
    waiter.timer.unref();
    this.sessionWaiters.push(waiter);
  }

  private lockSession(sessionId: string, consumer: MessageConsumer): number {
    const lockedUntil = Date.now() + this.properties.lockDurationMs;
    this.sessionLocks.set(sessionId, { consumer, lockedUntil });
    return lockedUntil;
  }

  private availableSession(): string | undefined {
    let best: string | undefined;
    let bestSeq = Number.POSITIVE_INFINITY;
    for (const [sessionId, queue] of this.ready) {
      if (queue.size > 0 && !this.sessionLocks.has(sessionId)) {
        const first = this.peekFirstSeq(queue);
        if (first < bestSeq) {
          bestSeq = first;
          best = sessionId;
        }
      }
    }
    return best;
  }

  private peekFirstSeq(queue: ReadyQueue): number {
    return queue.first()?.sequenceNumber ?? Number.POSITIVE_INFINITY;
  }

  private offerSession(sessionId: string): void {
    if (this.sessionWaiters.length === 0 || this.sessionLocks.has(sessionId)) {
      return;
    }
    const waiter = this.sessionWaiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.grant(undefined, sessionId, this.lockSession(sessionId, waiter.consumer));
    }
  }

  renewSessionLock(sessionId: string, consumer: MessageConsumer | undefined): number {
    const lock = this.sessionLock(sessionId, consumer);
    lock.lockedUntil = Date.now() + this.properties.lockDurationMs;
    return lock.lockedUntil;
  }

  sessionLock(sessionId: string, consumer: MessageConsumer | undefined): SessionLock {
    const lock = this.sessionLocks.get(sessionId);
    if (!lock || (consumer !== undefined && lock.consumer !== consumer)) {
      throw new ServiceBusBrokerError(
        BrokerErrorCode.SessionLockLost,
        `The session lock for session '${sessionId}' in '${this.path}' was lost or is held by another receiver.`,
        { sessionId },
      );
    }
    return lock;
  }

  setSessionState(sessionId: string, state: Buffer | null, done: StoreCallback): void {
    this.store.setSessionState(this.key, sessionId, state, (error) => {
      if (!error) {
        if (state === null) {
          this.sessionStates.delete(sessionId);
        } else {
          this.sessionStates.set(sessionId, state);
        }
      }
      done(error);
    });
  }

  sessionIds(): string[] {
    const ids = new Set<string>();
    for (const message of this.messages.values()) {
      if (message.sessionId !== null) {
        ids.add(message.sessionId);
      }
    }
    return [...ids];
  }

  close(): void {
    for (const timer of this.lockTimers.values()) {
      clearTimeout(timer);
    }
    for (const waiter of this.sessionWaiters) {
      clearTimeout(waiter.timer);
    }
    this.sessionWaiters.length = 0;
    this.lockTimers.clear();
  }
}
