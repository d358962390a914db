import { KqlgateError } from '../../common/errors/kqlgate-error.js';

/** Why a live subscription could not be opened; each code has one HTTP status (`httpStatus`). */
export enum LiveErrorCode {
  /** The caller already holds LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL open subscriptions. */
  TooManyForPrincipal = 'LIVE_TOO_MANY_SUBSCRIPTIONS',
  /** This replica already holds LIVE_MAX_SUBSCRIPTIONS open subscriptions. */
  ReplicaFull = 'LIVE_REPLICA_FULL',
  /** The replica is shutting down. */
  ShuttingDown = 'LIVE_SHUTTING_DOWN',
}

export class LiveError extends KqlgateError {
  constructor(
    override readonly code: LiveErrorCode,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, details);
  }

  /** Read by the REST and GraphQL error translators (see query-hooks.ts). */
  get httpStatus(): 429 | 503 {
    switch (this.code) {
      case LiveErrorCode.TooManyForPrincipal:
        return 429;
      case LiveErrorCode.ReplicaFull:
      case LiveErrorCode.ShuttingDown:
        return 503;
    }
  }
}
