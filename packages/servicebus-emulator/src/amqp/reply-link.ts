/**
 * The client receiver that `$cbs` and `$management` responses go to. Responses wait for credit; the request's
 * `reply_to` names the link (by its name or its target address).
 */
import type { Message, Sender } from 'rhea';
import type { Logger } from '../logging/logger.js';
import type { ConnectionState } from './connection-registry.js';

export class ReplyLink {
  private readonly queue: Message[] = [];
  constructor(readonly sender: Sender) {}

  send(message: Message): void {
    this.queue.push(message);
    this.flush();
  }

  flush(): void {
    while (this.queue.length > 0 && this.sender.sendable()) {
      this.sender.send(this.queue.shift() as Message);
    }
  }
}

/** Sends `response` to where `request.reply_to` points on this connection; drops it (logged) if nothing does. */
export function reply(state: ConnectionState, request: Message, response: Message, logger: Logger): void {
  const replyTo = typeof request.reply_to === 'string' ? request.reply_to : '';
  const link = state.replyLinks.get(replyTo);
  if (!link) {
    logger.warn({ replyTo }, 'servicebus: no receiver link for reply_to; response dropped');
    return;
  }
  link.send(response);
}

/** Application property `name` of a request (`$cbs` and `$management` carry their arguments there). */
export function applicationProperty(message: Message, name: string): unknown {
  return (message.application_properties as Record<string, unknown> | undefined)?.[name];
}

export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
