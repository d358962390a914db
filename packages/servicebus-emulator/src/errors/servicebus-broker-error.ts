/**
 * What went wrong inside the broker, independent of transport. The AMQP edge maps each code to the error
 * condition Azure Service Bus uses (see `amqp/amqp-error.translator.ts`), so the SDK raises the same
 * `ServiceBusError.code` it raises against the cloud service.
 */
export enum BrokerErrorCode {
  EntityNotFound = 'SERVICEBUS_ENTITY_NOT_FOUND',
  MessageLockLost = 'SERVICEBUS_MESSAGE_LOCK_LOST',
  SessionLockLost = 'SERVICEBUS_SESSION_LOCK_LOST',
  SessionCannotBeLocked = 'SERVICEBUS_SESSION_CANNOT_BE_LOCKED',
  MessageNotFound = 'SERVICEBUS_MESSAGE_NOT_FOUND',
  MessageSizeExceeded = 'SERVICEBUS_MESSAGE_SIZE_EXCEEDED',
  Unauthorized = 'SERVICEBUS_UNAUTHORIZED',
  NotAllowed = 'SERVICEBUS_NOT_ALLOWED',
  InvalidArgument = 'SERVICEBUS_INVALID_ARGUMENT',
  Timeout = 'SERVICEBUS_TIMEOUT',
  NotImplemented = 'SERVICEBUS_NOT_IMPLEMENTED',
  Internal = 'SERVICEBUS_INTERNAL',
  InvalidConfig = 'SERVICEBUS_INVALID_CONFIG',
}

/**
 * The broker's one error type. `code` (= `brokerCode`) is what a translator switches on; `details` carries the facts a
 * user needs to act (entity, lock token, config file…): the same shape as a host application's own coded errors,
 * without depending on one.
 */
export class ServiceBusBrokerError extends Error {
  readonly code: string;

  constructor(
    readonly brokerCode: BrokerErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
    this.code = brokerCode;
  }
}

export function entityNotFound(host: string, address: string): ServiceBusBrokerError {
  // core-amqp maps amqp:not-found to MessagingEntityNotFound only when the text has exactly this shape.
  return new ServiceBusBrokerError(
    BrokerErrorCode.EntityNotFound,
    `The messaging entity 'sb://${host}/${address}' could not be found.`,
    { address },
  );
}

export function lockLost(lockToken: string): ServiceBusBrokerError {
  return new ServiceBusBrokerError(
    BrokerErrorCode.MessageLockLost,
    `The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue. Lock token: ${lockToken}.`,
    { lockToken },
  );
}

/**
 * A session receiver (acceptSession / acceptNextSession) on a queue or subscription without sessions. The first two
 * sentences are Azure Service Bus's own; the SDK adds its `InvalidOperationError: ` prefix (amqp:not-allowed).
 */
export function sessionReceiverOnEntityWithoutSessions(path: string): ServiceBusBrokerError {
  return new ServiceBusBrokerError(
    BrokerErrorCode.NotAllowed,
    'A sessionful message receiver cannot be created on an entity that does not require sessions. Ensure ' +
      `RequiresSession is set to true when creating a Queue or Subscription to enable sessionful behavior. Entity: '${path}'.`,
    { entity: path },
  );
}

/** A plain receiver on a queue or subscription that requires sessions (Azure Service Bus's words, then the entity). */
export function plainReceiverOnEntityWithSessions(path: string): ServiceBusBrokerError {
  return new ServiceBusBrokerError(
    BrokerErrorCode.NotAllowed,
    `It is not possible for an entity that requires sessions to create a non-sessionful message receiver. Entity: '${path}'.`,
    { entity: path },
  );
}
