/**
 * What a subscription rule sees of a message: the broker-visible system properties (keys lower-case, as the SQL
 * filter language treats `sys.` names case-insensitively) and the application properties as sent.
 */
export interface FilterableMessage {
  readonly system: Readonly<Record<string, unknown>>;
  readonly user: Readonly<Record<string, unknown>>;
}

/** A compiled rule filter. `matches` throws `FilterEvaluationError` when the expression cannot be evaluated. */
export interface MessageFilter {
  readonly description: string;
  matches(message: FilterableMessage): boolean;
}

/** Raised while evaluating a filter against one message (e.g. comparing a string with a number). */
export class FilterEvaluationError extends Error {
  override readonly name = 'FilterEvaluationError';
}

export const trueFilter: MessageFilter = { description: '1=1', matches: () => true };
export const falseFilter: MessageFilter = { description: '1=0', matches: () => false };
