/**
 * The broker's entity registry and routing: resolves AMQP addresses to entities, turns sent messages into
 * stored copies (sequence numbers, enqueued time, TTL, duplicate detection, topic fan-out through subscription
 * rules, ForwardTo), and runs the maintenance tick (scheduled messages, TTL expiry, duplicate-window pruning).
 * State changes go through `MessageStore`; per-entity delivery state lives in `MessageEntity`.
 */
import {
  APPLICATION_PROPERTIES,
  mergeMapSection,
  messageIdText,
  newServiceMessageId,
  withMessageId,
  type ParsedMessage,
} from './amqp/message-codec.js';
import { amqpMessage, amqpTypes } from './amqp/rhea-codec.js';
import { BrokerMetrics } from './broker-metrics.js';
import type { BrokerEntitiesConfig, RuleConfig, TopicConfig } from './entities/entity-config.js';
import { DEFAULT_PROPERTIES } from './entities/entity-config.js';
import { FilterEvaluationError, type FilterableMessage } from './entities/filters/message-filter.js';
import { MessageEntity, type Done } from './entities/message-entity.js';
import { BrokerErrorCode, entityNotFound, ServiceBusBrokerError } from './errors/servicebus-broker-error.js';
import type { Logger } from './logging/logger.js';
import type { DuplicateRecord, MessageStore } from './store/message-store.js';
import { MessageState, type StoredMessage } from './store/stored-message.js';

export const DEAD_LETTER_SUFFIX = '/$deadletterqueue';
export const TRANSFER_DEAD_LETTER_SUFFIX = '/$transfer/$deadletterqueue';

interface SubscriptionRuntime {
  readonly entity: MessageEntity;
  readonly rules: readonly RuleConfig[];
}

interface SendableBase {
  readonly path: string;
  readonly requiresDuplicateDetection: boolean;
  readonly duplicateWindowMs: number;
  readonly duplicates: Map<string, number>;
}

export interface QueueTarget extends SendableBase {
  readonly kind: 'queue';
  readonly entity: MessageEntity;
}

export interface TopicTarget extends SendableBase {
  readonly kind: 'topic';
  readonly subscriptions: readonly SubscriptionRuntime[];
  /** Holds the topic's scheduled messages until they are due, then they fan out like a send. */
  readonly scheduled: MessageEntity;
}

export type SendTarget = QueueTarget | TopicTarget;

const TICK_MS = 100;
const DUPLICATE_PRUNE_MS = 30_000;

/** Strips `sb://host[:port]/` and slashes; entity names are case-insensitive. */
export function normalizeAddress(address: string): string {
  return address
    .replace(/^(amqps?|sb):\/\/[^/]+\//i, '')
    .replace(/^\/+|\/+$/g, '')
    .toLowerCase();
}

export class ServiceBusBroker {
  /** Receivable entities (queues, subscriptions, dead-letter queues) by lower-case path. */
  readonly entities = new Map<string, MessageEntity>();
  readonly targets = new Map<string, SendTarget>();
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = 0;

  constructor(
    config: BrokerEntitiesConfig,
    private readonly store: MessageStore,
    private readonly logger: Logger,
    private readonly metrics: BrokerMetrics = new BrokerMetrics(),
  ) {
    for (const queue of config.queues) {
      const entity = this.createEntity('queue', queue.name, queue.properties);
      this.targets.set(entity.key, {
        kind: 'queue',
        entity,
        path: queue.name,
        requiresDuplicateDetection: queue.properties.requiresDuplicateDetection,
        duplicateWindowMs: queue.properties.duplicateDetectionWindowMs,
        duplicates: new Map(),
      });
    }
    for (const topic of config.topics) {
      this.targets.set(topic.name.toLowerCase(), this.createTopic(topic));
    }
    for (const target of this.targets.values()) {
      const entities = target.kind === 'queue' ? [target.entity] : target.subscriptions.map((s) => s.entity);
      for (const entity of entities) {
        if (entity.properties.forwardDeadLetteredMessagesTo !== undefined) {
          this.logger.warn(
            {
              entity: entity.path,
              forwardDeadLetteredMessagesTo: entity.properties.forwardDeadLetteredMessagesTo,
            },
            'ForwardDeadLetteredMessagesTo is not supported by the embedded broker; dead letters stay in the entity DLQ',
          );
        }
      }
    }
  }

  private createEntity(
    kind: 'queue' | 'subscription',
    path: string,
    properties: MessageEntity['properties'],
  ): MessageEntity {
    const entity = new MessageEntity(kind, path, properties, this.store, this.logger);
    const dlq = new MessageEntity(
      'deadletter',
      `${path}/$DeadLetterQueue`,
      properties,
      this.store,
      this.logger,
    );
    const transfer = new MessageEntity(
      'deadletter',
      `${path}/$Transfer/$DeadLetterQueue`,
      properties,
      this.store,
      this.logger,
    );
    entity.deadLetterQueue = dlq;
    for (const e of [entity, dlq, transfer]) {
      this.entities.set(e.key, e);
    }
    return entity;
  }

  private createTopic(topic: TopicConfig): TopicTarget {
    const subscriptions = topic.subscriptions.map((sub) => ({
      entity: this.createEntity('subscription', `${topic.name}/Subscriptions/${sub.name}`, sub.properties),
      rules: sub.rules,
    }));
    return {
      kind: 'topic',
      path: topic.name,
      subscriptions,
      scheduled: new MessageEntity('topic-schedule', topic.name, topic.properties, this.store, this.logger),
      requiresDuplicateDetection: topic.properties.requiresDuplicateDetection,
      duplicateWindowMs: topic.properties.duplicateDetectionWindowMs,
      duplicates: new Map(),
    };
  }

  /** Loads persisted state and starts the maintenance tick. */
  start(): void {
    const state = this.store.load();
    this.nextId = state.nextId;
    const all = new Map<string, MessageEntity>(this.entities);
    for (const target of this.targets.values()) {
      if (target.kind === 'topic') {
        all.set(target.scheduled.key, target.scheduled);
      }
    }
    for (const [entity, last] of state.sequences) {
      all.get(entity)?.restoreSequence(last);
    }
    let orphans = 0;
    for (const message of state.messages) {
      const entity = all.get(message.entity);
      if (entity) {
        entity.add(message);
      } else {
        orphans++;
      }
    }
    if (orphans > 0) {
      this.logger.warn(
        { orphans },
        'stored messages belong to entities no longer in the config; kept on disk, not served',
      );
    }
    const now = Date.now();
    for (const dup of state.duplicates) {
      const target = this.targets.get(dup.entity);
      if (target && dup.expiresAt > now) {
        target.duplicates.set(dup.messageId, dup.expiresAt);
      }
    }
    for (const s of state.sessionStates) {
      this.entities.get(s.entity)?.sessionStates.set(s.sessionId, s.state);
    }
    this.logger.info(
      { entities: this.entities.size, messages: state.messages.length },
      'servicebus broker state loaded',
    );
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    this.metrics.track(this);
  }

  resolveSendTarget(address: string, host: string): SendTarget {
    const target = this.targets.get(normalizeAddress(address));
    if (!target) {
      throw entityNotFound(host, address);
    }
    return target;
  }

  resolveEntity(address: string, host: string): MessageEntity {
    const entity = this.entities.get(normalizeAddress(address));
    if (!entity) {
      throw entityNotFound(host, address);
    }
    return entity;
  }

  /** Accepts sent messages: one atomic store step for all copies; `done` runs after the commit. */
  send(target: SendTarget, messages: readonly ParsedMessage[], done: Done): void {
    let copies: StoredMessage[];
    const duplicates: DuplicateRecord[] = [];
    try {
      copies = this.prepare(target, messages, duplicates, undefined);
    } catch (error) {
      done(error as Error);
      return;
    }
    this.commit(copies, duplicates, [], done);
    this.metrics.enqueued.inc(messages.length);
  }

  /** `schedule-message`: like send, with the sequence numbers the SDK returns for cancelling. */
  schedule(
    target: SendTarget,
    messages: readonly ParsedMessage[],
    done: (error: Error | undefined, seqs: number[]) => void,
  ): void {
    let copies: StoredMessage[];
    const duplicates: DuplicateRecord[] = [];
    try {
      copies = this.prepare(target, messages, duplicates, Date.now());
    } catch (error) {
      done(error as Error, []);
      return;
    }
    this.commit(copies, duplicates, [], (error) =>
      done(
        error,
        copies.map((c) => c.sequenceNumber),
      ),
    );
  }

  cancelScheduled(target: SendTarget, sequenceNumbers: number[], done: Done): void {
    (target.kind === 'queue' ? target.entity : target.scheduled).cancelScheduled(sequenceNumbers, done);
  }

  private commit(
    copies: StoredMessage[],
    duplicates: DuplicateRecord[],
    removeIds: number[],
    done: Done,
  ): void {
    const sequences = new Map<string, number>();
    for (const copy of copies) {
      const owner = this.sequenceOwner(copy.entity);
      sequences.set(owner.key, owner.lastSequenceNumber);
    }
    this.store.enqueue(
      copies,
      sequences,
      duplicates,
      (error) => {
        if (!error) {
          const touched = new Set<MessageEntity>();
          for (const copy of copies) {
            const entity = this.holderOf(copy.entity);
            if (entity) {
              entity.add(copy);
              touched.add(entity);
            }
          }
          for (const entity of touched) {
            entity.pump();
          }
        }
        done(error);
      },
      removeIds,
    );
  }

  /** The entity holding messages stored under `key`: a receivable entity or a topic's schedule holder. */
  private holderOf(key: string): MessageEntity | undefined {
    const entity = this.entities.get(key);
    if (entity) {
      return entity;
    }
    const target = this.targets.get(key);
    return target?.kind === 'topic' ? target.scheduled : undefined;
  }

  /** Dead-letter copies keep the sequence number of the entity they were meant for. */
  private sequenceOwner(key: string): MessageEntity {
    const base = key.endsWith(DEAD_LETTER_SUFFIX) ? key.slice(0, -DEAD_LETTER_SUFFIX.length) : key;
    const owner = this.holderOf(base);
    if (!owner) {
      throw new Error(`servicebus broker: no entity for stored key '${key}'`);
    }
    return owner;
  }

  /**
   * Builds the stored copies of sent messages. `scheduleFrom` is set for `schedule-message` (every message is
   * scheduled); plain sends are scheduled only when they carry `x-opt-scheduled-enqueue-time` in the future.
   */
  private prepare(
    target: SendTarget,
    messages: readonly ParsedMessage[],
    duplicates: DuplicateRecord[],
    scheduleFrom: number | undefined,
  ): StoredMessage[] {
    const now = Date.now();
    const copies: StoredMessage[] = [];
    const seenInBatch = new Set<string>();
    for (const parsed of messages) {
      let messageId = messageIdText(parsed.propertyValues.message_id);
      let properties = parsed.properties;
      if (messageId === undefined) {
        messageId = newServiceMessageId();
        properties = withMessageId(parsed.propertyValues, messageId);
      }
      if (target.requiresDuplicateDetection) {
        const until = target.duplicates.get(messageId);
        if ((until !== undefined && until > now) || seenInBatch.has(messageId)) {
          this.logger.debug({ entity: target.path, messageId }, 'duplicate message dropped');
          continue;
        }
        seenInBatch.add(messageId);
        const expiresAt = now + target.duplicateWindowMs;
        target.duplicates.set(messageId, expiresAt);
        duplicates.push({ entity: target.path.toLowerCase(), messageId, expiresAt });
      }
      const scheduledTime = parsed.annotationValues['x-opt-scheduled-enqueue-time'];
      const scheduledAt =
        scheduledTime instanceof Date
          ? scheduledTime.getTime()
          : typeof scheduledTime === 'number'
            ? scheduledTime
            : undefined;
      const isScheduled = scheduleFrom !== undefined || (scheduledAt !== undefined && scheduledAt > now);
      const sessionId = parsed.propertyValues.group_id ?? null;
      const base = { parsed, messageId, properties, sessionId, now };
      if (isScheduled && target.kind === 'topic') {
        copies.push(this.copyFor(target.scheduled, base, MessageState.Scheduled, scheduledAt ?? now, null));
        continue;
      }
      const destinations =
        target.kind === 'queue' ? this.forward(target.entity, 0) : this.fanOut(target, base);
      for (const destination of destinations) {
        if (destination.entity.requiresSession && sessionId === null) {
          throw new ServiceBusBrokerError(
            BrokerErrorCode.NotAllowed,
            `InvalidOperationError: The SessionId was not set on a message, and it cannot be sent to the entity '${destination.entity.path}'. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.`,
            { entity: destination.entity.path },
          );
        }
        copies.push(
          this.copyFor(
            destination.entity,
            base,
            isScheduled ? MessageState.Scheduled : MessageState.Active,
            isScheduled ? (scheduledAt ?? now) : null,
            destination.deadLetter ?? null,
          ),
        );
      }
    }
    return copies;
  }

  private copyFor(
    entity: MessageEntity,
    base: {
      parsed: ParsedMessage;
      messageId: string;
      properties: Buffer | null;
      sessionId: string | null;
      now: number;
    },
    state: MessageState,
    scheduledAt: number | null,
    deadLetter: { reason: string; description: string; source: string } | null,
  ): StoredMessage {
    const { parsed } = base;
    const ttl = [parsed.header.ttl, entity.properties.defaultMessageTtlMs].filter(
      (v): v is number => typeof v === 'number' && v > 0,
    );
    const liveFrom = scheduledAt ?? base.now;
    const owner = deadLetter
      ? (this.entities.get(entity.key.replace(DEAD_LETTER_SUFFIX, '')) ?? entity)
      : entity;
    return {
      id: this.nextId++,
      entity: entity.key,
      sequenceNumber: owner.nextSequenceNumber(),
      state,
      enqueuedAt: base.now,
      scheduledAt,
      expiresAt: ttl.length > 0 && !deadLetter ? liveFrom + Math.min(...ttl) : null,
      deliveryCount: 0,
      sessionId: base.sessionId,
      messageId: base.messageId,
      header: parsed.header,
      annotations: parsed.annotations,
      properties: base.properties,
      applicationProperties: deadLetter
        ? mergeMapSection(
            parsed.applicationProperties,
            APPLICATION_PROPERTIES,
            [
              ['DeadLetterReason', amqpTypes.wrap_string(deadLetter.reason)],
              ['DeadLetterErrorDescription', amqpTypes.wrap_string(deadLetter.description)],
            ],
            false,
          )
        : parsed.applicationProperties,
      body: parsed.body,
      deadLetterSource: deadLetter?.source ?? null,
    };
  }

  /** Follows ForwardTo from a queue or subscription to the entities that finally store the message. */
  private forward(
    entity: MessageEntity,
    depth: number,
  ): { entity: MessageEntity; deadLetter?: { reason: string; description: string; source: string } }[] {
    const next = entity.properties.forwardTo;
    if (next === undefined || entity.kind === 'deadletter') {
      return [{ entity }];
    }
    if (depth >= 4) {
      throw new ServiceBusBrokerError(
        BrokerErrorCode.NotAllowed,
        `ForwardTo chain from '${entity.path}' is longer than 4 hops (a cycle?).`,
      );
    }
    const target = this.targets.get(next.toLowerCase());
    if (!target) {
      return [{ entity }];
    }
    if (target.kind === 'queue') {
      return this.forward(target.entity, depth + 1);
    }
    return target.subscriptions.flatMap((sub) => this.forward(sub.entity, depth + 1));
  }

  private fanOut(
    topic: TopicTarget,
    base: { parsed: ParsedMessage; messageId: string; sessionId: string | null },
  ): { entity: MessageEntity; deadLetter?: { reason: string; description: string; source: string } }[] {
    const view = filterView(base.parsed, base.messageId);
    const result: {
      entity: MessageEntity;
      deadLetter?: { reason: string; description: string; source: string };
    }[] = [];
    for (const sub of topic.subscriptions) {
      try {
        if (sub.rules.some((rule) => rule.filter.matches(view))) {
          result.push(...this.forward(sub.entity, 0));
        }
      } catch (error) {
        if (!(error instanceof FilterEvaluationError)) {
          throw error;
        }
        this.logger.warn(
          { subscription: sub.entity.path, messageId: base.messageId, err: error.message },
          'filter evaluation failed',
        );
        if (sub.entity.properties.deadLetteringOnFilterEvaluationExceptions && sub.entity.deadLetterQueue) {
          result.push({
            entity: sub.entity.deadLetterQueue,
            deadLetter: {
              reason: 'FilterEvaluationException',
              description: error.message,
              source: sub.entity.path,
            },
          });
        }
      }
    }
    return result;
  }

  /** Scheduled messages becoming due, TTL expiry, duplicate-window pruning. */
  tick(): void {
    const now = Date.now();
    for (const entity of this.entities.values()) {
      const due = entity.dueScheduled(now);
      if (due.length > 0) {
        entity.activateScheduled(due);
      }
      entity.sweepExpired(now);
    }
    for (const target of this.targets.values()) {
      if (target.kind === 'topic') {
        for (const message of target.scheduled.dueScheduled(now)) {
          this.publishScheduled(target, message);
        }
      }
    }
    if (now - this.lastPrune > DUPLICATE_PRUNE_MS) {
      this.lastPrune = now;
      for (const target of this.targets.values()) {
        for (const [id, until] of target.duplicates) {
          if (until <= now) {
            target.duplicates.delete(id);
          }
        }
      }
      this.store.pruneDuplicates(now);
    }
  }

  /** A due scheduled topic message is replaced by its subscription copies in one store step. */
  private publishScheduled(topic: TopicTarget, message: StoredMessage): void {
    topic.scheduled.messages.delete(message.sequenceNumber);
    const parsed: ParsedMessage = {
      header: message.header,
      annotations: message.annotations,
      annotationValues: {},
      properties: message.properties,
      propertyValues: {},
      applicationProperties: message.applicationProperties,
      applicationValues: {},
      body: message.body,
      encodedSize: 0,
    };
    const decoded = decodeForFilters(message);
    const withValues = {
      ...parsed,
      propertyValues: decoded.propertyValues,
      applicationValues: decoded.applicationValues,
    };
    const base = {
      parsed: withValues,
      messageId: message.messageId,
      properties: message.properties,
      sessionId: message.sessionId,
      now: Date.now(),
    };
    let copies: StoredMessage[];
    try {
      copies = this.fanOut(topic, base).map((d) =>
        this.copyFor(d.entity, base, MessageState.Active, message.scheduledAt, d.deadLetter ?? null),
      );
    } catch (error) {
      this.logger.error({ err: error, topic: topic.path }, 'publishing a scheduled message failed');
      return;
    }
    this.commit(copies, [], [message.id], (error) => {
      if (error) {
        this.logger.error({ err: error, topic: topic.path }, 'publishing a scheduled message failed');
      }
    });
  }

  close(): void {
    this.metrics.untrack(this);
    if (this.timer) {
      clearInterval(this.timer);
    }
    for (const entity of this.entities.values()) {
      entity.close();
    }
  }
}

function decodeForFilters(message: StoredMessage): {
  propertyValues: ParsedMessage['propertyValues'];
  applicationValues: Record<string, unknown>;
} {
  const parts = [message.properties, message.applicationProperties].filter((b): b is Buffer => b !== null);
  if (parts.length === 0) {
    return { propertyValues: {}, applicationValues: {} };
  }
  const decoded = amqpMessage.decode(Buffer.concat(parts));
  return {
    propertyValues: decoded,
    applicationValues: (decoded.application_properties as Record<string, unknown> | undefined) ?? {},
  };
}

function text(value: unknown): unknown {
  if (value === undefined || value === null) {
    return undefined;
  }
  return Buffer.isBuffer(value) ? messageIdText(value) : value;
}

/** System properties named as the SQL filter language and correlation filters see them. */
export function filterView(parsed: ParsedMessage, messageId: string): FilterableMessage {
  const p = parsed.propertyValues;
  return {
    system: {
      messageid: messageId,
      correlationid: text(p.correlation_id),
      label: p.subject,
      to: p.to,
      replyto: p.reply_to,
      sessionid: p.group_id,
      replytosessionid: p.reply_to_group_id,
      contenttype: p.content_type,
    },
    user: parsed.applicationValues,
  };
}

export { DEFAULT_PROPERTIES };
