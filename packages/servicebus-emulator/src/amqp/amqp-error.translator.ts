import { BrokerErrorCode, ServiceBusBrokerError } from '../errors/servicebus-broker-error.js';

/** An AMQP `error` composite as rhea writes it in detach, close and rejected outcomes. */
export interface AmqpError {
  condition: string;
  description: string;
  info?: Record<string, unknown>;
}

/** HTTP-like status the `$management` node answers with, next to the condition. */
export interface ManagementFailure {
  statusCode: number;
  errorCondition: string;
  description: string;
}

function assertUnreachable(value: never): never {
  throw new Error(`unhandled broker error code ${String(value)}`);
}

/** The condition Azure Service Bus uses for each broker error (protocols/servicebus-amqp.md §8). */
export function amqpConditionFor(code: BrokerErrorCode): { condition: string; statusCode: number } {
  switch (code) {
    case BrokerErrorCode.EntityNotFound:
      return { condition: 'amqp:not-found', statusCode: 404 };
    case BrokerErrorCode.MessageLockLost:
      return { condition: 'com.microsoft:message-lock-lost', statusCode: 410 };
    case BrokerErrorCode.SessionLockLost:
      return { condition: 'com.microsoft:session-lock-lost', statusCode: 410 };
    case BrokerErrorCode.SessionCannotBeLocked:
      return { condition: 'com.microsoft:session-cannot-be-locked', statusCode: 409 };
    case BrokerErrorCode.MessageNotFound:
      return { condition: 'com.microsoft:message-not-found', statusCode: 404 };
    case BrokerErrorCode.MessageSizeExceeded:
      return { condition: 'amqp:link:message-size-exceeded', statusCode: 413 };
    case BrokerErrorCode.Unauthorized:
      return { condition: 'amqp:unauthorized-access', statusCode: 401 };
    case BrokerErrorCode.NotAllowed:
      return { condition: 'amqp:not-allowed', statusCode: 400 };
    case BrokerErrorCode.InvalidArgument:
      return { condition: 'com.microsoft:argument-error', statusCode: 400 };
    case BrokerErrorCode.Timeout:
      return { condition: 'com.microsoft:timeout', statusCode: 408 };
    case BrokerErrorCode.NotImplemented:
      return { condition: 'amqp:not-implemented', statusCode: 501 };
    case BrokerErrorCode.Internal:
    case BrokerErrorCode.InvalidConfig:
      return { condition: 'amqp:internal-error', statusCode: 500 };
    default:
      return assertUnreachable(code);
  }
}

/** Any thrown value → the AMQP error sent to the client; unexpected errors become `amqp:internal-error`. */
export function toAmqpError(error: unknown): AmqpError {
  if (error instanceof ServiceBusBrokerError) {
    return { condition: amqpConditionFor(error.brokerCode).condition, description: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { condition: 'amqp:internal-error', description: `Internal broker error: ${message}` };
}

export function toManagementFailure(error: unknown): ManagementFailure {
  if (error instanceof ServiceBusBrokerError) {
    const { condition, statusCode } = amqpConditionFor(error.brokerCode);
    return { statusCode, errorCondition: condition, description: error.message };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    statusCode: 500,
    errorCondition: 'amqp:internal-error',
    description: `Internal broker error: ${message}`,
  };
}
