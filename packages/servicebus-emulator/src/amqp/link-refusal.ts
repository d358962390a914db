import type { Receiver, Sender } from 'rhea';
import type { Logger } from '../logging/logger.js';
import type { AmqpError } from './amqp-error.translator.js';

/** Answers an attach the broker cannot serve with a detach carrying the Service Bus error condition. */
export function refuseLink(link: Sender | Receiver, error: AmqpError, logger: Logger): void {
  logger.debug(
    { link: link.name, condition: error.condition, description: error.description },
    'attach refused',
  );
  link.close(error);
}
