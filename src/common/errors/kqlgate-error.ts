/**
 * Base of every error kqlgate raises on purpose. `code` is a stable string a transport translator switches on
 * (HTTP problem JSON, GraphQL error extensions, Kusto REST error body, AMQP error condition); `details` carries
 * the facts a user needs to act (function, parameter, file:line:col, message id…).
 */
export class KqlgateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
