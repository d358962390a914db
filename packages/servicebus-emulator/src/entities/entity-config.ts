/**
 * Entity declarations in the format of Microsoft's Service Bus emulator `Config.json`
 * (`UserConfig.Namespaces[].Queues[]` / `Topics[].Subscriptions[].Rules[]`), validated once at start. Every
 * problem is collected and reported together with its JSON path, so a broken config fails fast and clearly.
 * Unlike that emulator there are no caps on namespaces, entities, connections or TTL.
 */
import { BrokerErrorCode, ServiceBusBrokerError } from '../errors/servicebus-broker-error.js';
import { compileCorrelationFilter } from './filters/correlation-filter.js';
import { falseFilter, trueFilter, type MessageFilter } from './filters/message-filter.js';
import { compileSqlFilter } from './filters/sql-filter.js';
import { parseDurationMs } from './iso-duration.js';

export interface EntityProperties {
  readonly lockDurationMs: number;
  readonly maxDeliveryCount: number;
  /** undefined = messages never expire (the service's TimeSpan.MaxValue). */
  readonly defaultMessageTtlMs: number | undefined;
  readonly deadLetteringOnMessageExpiration: boolean;
  readonly deadLetteringOnFilterEvaluationExceptions: boolean;
  readonly requiresDuplicateDetection: boolean;
  readonly duplicateDetectionWindowMs: number;
  readonly requiresSession: boolean;
  readonly forwardTo: string | undefined;
  readonly forwardDeadLetteredMessagesTo: string | undefined;
}

export interface RuleConfig {
  readonly name: string;
  readonly filter: MessageFilter;
}

export interface QueueConfig {
  readonly name: string;
  readonly properties: EntityProperties;
}

export interface SubscriptionConfig {
  readonly name: string;
  readonly properties: EntityProperties;
  readonly rules: readonly RuleConfig[];
}

export interface TopicConfig {
  readonly name: string;
  readonly properties: EntityProperties;
  readonly subscriptions: readonly SubscriptionConfig[];
}

export interface BrokerEntitiesConfig {
  readonly namespaces: readonly string[];
  readonly queues: readonly QueueConfig[];
  readonly topics: readonly TopicConfig[];
}

export const DEFAULT_PROPERTIES: EntityProperties = Object.freeze({
  lockDurationMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTtlMs: undefined,
  deadLetteringOnMessageExpiration: false,
  deadLetteringOnFilterEvaluationExceptions: false,
  requiresDuplicateDetection: false,
  duplicateDetectionWindowMs: 10 * 60_000,
  requiresSession: false,
  forwardTo: undefined,
  forwardDeadLetteredMessagesTo: undefined,
});

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Case-insensitive key access: hand-written configs vary in casing (`Properties` vs `properties`). */
function get(obj: Json, key: string): unknown {
  if (key in obj) {
    return obj[key];
  }
  const lower = key.toLowerCase();
  const found = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : obj[found];
}

class ConfigReader {
  readonly errors: string[] = [];

  duration(props: Json, key: string, path: string, fallback: number | undefined): number | undefined {
    const value = get(props, key);
    if (value === undefined || value === null || value === '') {
      return fallback;
    }
    if (typeof value !== 'string') {
      this.errors.push(
        `${path}.${key}: expected an ISO 8601 duration such as "PT1M", got ${JSON.stringify(value)}`,
      );
      return fallback;
    }
    const ms = parseDurationMs(value);
    if (ms === undefined || ms <= 0) {
      this.errors.push(
        `${path}.${key}: "${value}" is not a positive ISO 8601 duration (e.g. "PT30S", "PT1M", "P14D")`,
      );
      return fallback;
    }
    return ms;
  }

  bool(props: Json, key: string, path: string, fallback: boolean): boolean {
    const value = get(props, key);
    if (value === undefined || value === null) {
      return fallback;
    }
    if (typeof value !== 'boolean') {
      this.errors.push(`${path}.${key}: expected true or false, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  positiveInt(props: Json, key: string, path: string, fallback: number): number {
    const value = get(props, key);
    if (value === undefined || value === null) {
      return fallback;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      this.errors.push(`${path}.${key}: expected a positive integer, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  optionalName(props: Json, key: string, path: string): string | undefined {
    const value = get(props, key);
    if (value === undefined || value === null || value === '') {
      return undefined;
    }
    if (typeof value !== 'string') {
      this.errors.push(`${path}.${key}: expected an entity name, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value;
  }

  name(entity: Json, path: string): string | undefined {
    const name = get(entity, 'Name');
    if (typeof name !== 'string' || name.trim() === '') {
      this.errors.push(`${path}.Name: every entity needs a non-empty name`);
      return undefined;
    }
    if (/[\s/\\?#]/.test(name) || name.startsWith('$')) {
      this.errors.push(
        `${path}.Name: "${name}" may not contain spaces, '/', '\\', '?', '#' or start with '$'`,
      );
      return undefined;
    }
    return name;
  }

  array(obj: Json, key: string, path: string): Json[] {
    const value = get(obj, key);
    if (value === undefined || value === null) {
      return [];
    }
    if (!Array.isArray(value)) {
      this.errors.push(`${path}.${key}: expected an array`);
      return [];
    }
    return value.map((item, i) => {
      if (!isObject(item)) {
        this.errors.push(`${path}.${key}[${i}]: expected an object`);
        return {};
      }
      return item;
    });
  }

  properties(entity: Json, path: string, base: EntityProperties): EntityProperties {
    const raw = get(entity, 'Properties');
    if (raw !== undefined && raw !== null && !isObject(raw)) {
      this.errors.push(`${path}.Properties: expected an object`);
    }
    const props = isObject(raw) ? raw : {};
    const p = `${path}.Properties`;
    return {
      lockDurationMs: this.duration(props, 'LockDuration', p, base.lockDurationMs) ?? base.lockDurationMs,
      maxDeliveryCount: this.positiveInt(props, 'MaxDeliveryCount', p, base.maxDeliveryCount),
      defaultMessageTtlMs: this.duration(props, 'DefaultMessageTimeToLive', p, base.defaultMessageTtlMs),
      deadLetteringOnMessageExpiration: this.bool(
        props,
        'DeadLetteringOnMessageExpiration',
        p,
        base.deadLetteringOnMessageExpiration,
      ),
      deadLetteringOnFilterEvaluationExceptions: this.bool(
        props,
        'DeadLetteringOnFilterEvaluationExceptions',
        p,
        base.deadLetteringOnFilterEvaluationExceptions,
      ),
      requiresDuplicateDetection: this.bool(
        props,
        'RequiresDuplicateDetection',
        p,
        base.requiresDuplicateDetection,
      ),
      duplicateDetectionWindowMs:
        this.duration(props, 'DuplicateDetectionHistoryTimeWindow', p, base.duplicateDetectionWindowMs) ??
        base.duplicateDetectionWindowMs,
      requiresSession: this.bool(props, 'RequiresSession', p, base.requiresSession),
      forwardTo: this.optionalName(props, 'ForwardTo', p),
      forwardDeadLetteredMessagesTo: this.optionalName(props, 'ForwardDeadLetteredMessagesTo', p),
    };
  }

  rule(rule: Json, path: string): RuleConfig | undefined {
    const name = get(rule, 'Name');
    if (typeof name !== 'string' || name === '') {
      this.errors.push(`${path}.Name: every rule needs a name`);
      return undefined;
    }
    const props = get(rule, 'Properties');
    const p = `${path}.Properties`;
    if (!isObject(props)) {
      this.errors.push(`${p}: rule '${name}' needs Properties with a FilterType`);
      return undefined;
    }
    const filterType = get(props, 'FilterType');
    try {
      switch (typeof filterType === 'string' ? filterType.toLowerCase() : filterType) {
        case 'sql': {
          const sql = get(props, 'SqlFilter');
          const expression = isObject(sql) ? get(sql, 'SqlExpression') : undefined;
          if (typeof expression !== 'string') {
            this.errors.push(
              `${p}.SqlFilter.SqlExpression: rule '${name}' has FilterType Sql but no SqlExpression`,
            );
            return undefined;
          }
          return { name, filter: compileSqlFilter(expression) };
        }
        case 'correlation': {
          const spec = get(props, 'CorrelationFilter');
          if (!isObject(spec)) {
            this.errors.push(
              `${p}.CorrelationFilter: rule '${name}' has FilterType Correlation but no CorrelationFilter`,
            );
            return undefined;
          }
          return { name, filter: compileCorrelationFilter(spec) };
        }
        case 'true':
        case 'truefilter':
          return { name, filter: trueFilter };
        case 'false':
        case 'falsefilter':
          return { name, filter: falseFilter };
        default:
          this.errors.push(
            `${p}.FilterType: rule '${name}' has FilterType ${JSON.stringify(filterType)}; expected "Sql" or "Correlation"`,
          );
          return undefined;
      }
    } catch (error) {
      this.errors.push(`${p}: rule '${name}' is invalid: ${(error as Error).message}`);
      return undefined;
    }
  }
}

/**
 * Validates a parsed emulator config. Throws `ServiceBusBrokerError(InvalidConfig)` listing every problem
 * (`source` names the file in the message).
 */
export function parseEntitiesConfig(config: unknown, source = 'config'): BrokerEntitiesConfig {
  const reader = new ConfigReader();
  const queues: QueueConfig[] = [];
  const topics: TopicConfig[] = [];
  const namespaces: string[] = [];
  const user = isObject(config) ? get(config, 'UserConfig') : undefined;
  if (!isObject(user)) {
    reader.errors.push('UserConfig: missing; expected {"UserConfig":{"Namespaces":[…]}}');
  } else {
    const names = new Map<string, string>();
    const claim = (name: string, path: string): boolean => {
      const key = name.toLowerCase();
      const previous = names.get(key);
      if (previous !== undefined) {
        reader.errors.push(
          `${path}.Name: "${name}" is declared twice (also at ${previous}); names are case-insensitive`,
        );
        return false;
      }
      names.set(key, path);
      return true;
    };
    reader.array(user, 'Namespaces', 'UserConfig').forEach((ns, n) => {
      const nsPath = `UserConfig.Namespaces[${n}]`;
      const nsName = get(ns, 'Name');
      namespaces.push(typeof nsName === 'string' ? nsName : `namespace${n}`);
      reader.array(ns, 'Queues', nsPath).forEach((queue, q) => {
        const path = `${nsPath}.Queues[${q}]`;
        const name = reader.name(queue, path);
        const properties = reader.properties(queue, path, DEFAULT_PROPERTIES);
        if (name !== undefined && claim(name, path)) {
          queues.push({ name, properties });
        }
      });
      reader.array(ns, 'Topics', nsPath).forEach((topic, t) => {
        const path = `${nsPath}.Topics[${t}]`;
        const name = reader.name(topic, path);
        const properties = reader.properties(topic, path, DEFAULT_PROPERTIES);
        const subscriptions: SubscriptionConfig[] = [];
        const subNames = new Set<string>();
        reader.array(topic, 'Subscriptions', path).forEach((sub, s) => {
          const subPath = `${path}.Subscriptions[${s}]`;
          const subName = reader.name(sub, subPath);
          // A subscription inherits the topic's TTL unless it sets its own.
          const subProps = reader.properties(sub, subPath, {
            ...DEFAULT_PROPERTIES,
            defaultMessageTtlMs: properties.defaultMessageTtlMs,
          });
          const rules: RuleConfig[] = [];
          reader.array(sub, 'Rules', subPath).forEach((rule, r) => {
            const compiled = reader.rule(rule, `${subPath}.Rules[${r}]`);
            if (compiled) {
              rules.push(compiled);
            }
          });
          if (subName !== undefined) {
            if (subNames.has(subName.toLowerCase())) {
              reader.errors.push(
                `${subPath}.Name: subscription "${subName}" is declared twice in topic "${name}"`,
              );
            }
            subNames.add(subName.toLowerCase());
            subscriptions.push({
              name: subName,
              properties: subProps,
              rules: rules.length > 0 ? rules : [{ name: '$Default', filter: trueFilter }],
            });
          }
        });
        if (name !== undefined && claim(name, path)) {
          topics.push({ name, properties, subscriptions });
        }
      });
    });
    const known = new Set([
      ...queues.map((q) => q.name.toLowerCase()),
      ...topics.map((t) => t.name.toLowerCase()),
    ]);
    const checkForward = (target: string | undefined, path: string): void => {
      if (target !== undefined && !known.has(target.toLowerCase())) {
        reader.errors.push(`${path}: forwards to "${target}", which is not a declared queue or topic`);
      }
    };
    for (const queue of queues) {
      checkForward(queue.properties.forwardTo, `queue "${queue.name}" ForwardTo`);
      checkForward(
        queue.properties.forwardDeadLetteredMessagesTo,
        `queue "${queue.name}" ForwardDeadLetteredMessagesTo`,
      );
    }
    for (const topic of topics) {
      for (const sub of topic.subscriptions) {
        checkForward(sub.properties.forwardTo, `subscription "${topic.name}/${sub.name}" ForwardTo`);
        checkForward(
          sub.properties.forwardDeadLetteredMessagesTo,
          `subscription "${topic.name}/${sub.name}" ForwardDeadLetteredMessagesTo`,
        );
      }
    }
  }
  if (reader.errors.length > 0) {
    throw new ServiceBusBrokerError(
      BrokerErrorCode.InvalidConfig,
      `Invalid Service Bus emulator config (${source}):\n  - ${reader.errors.join('\n  - ')}`,
      { source, errors: reader.errors },
    );
  }
  return { namespaces, queues, topics };
}
