/**
 * `$cbs`: claims-based security. The client puts a SAS token for an audience (an entity or the namespace); a
 * valid one adds the audience to the connection, which authorizes later link attaches under it. Answers go
 * back on the client's reply link with the status codes Service Bus uses (202, 401).
 */
import type { Delivery, EventContext, Message } from 'rhea';
import { normalizeAddress } from '../broker.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { ACCEPTED, type DispositionWriter } from './disposition-writer.js';
import { applicationProperty, reply, textOf } from './reply-link.js';
import { amqpTypes } from './rhea-codec.js';
import { verifySasToken } from './sas-token.js';

export const CBS_ADDRESS = '$cbs';

export interface CbsCredentials {
  readonly sharedAccessKeyName?: string;
  readonly sharedAccessKey?: string;
}

export class CbsLinkHandler {
  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly credentials: CbsCredentials,
    private readonly logger: Logger,
    private readonly dispositions: DispositionWriter,
  ) {}

  /** A put-token request. */
  onMessage(ctx: EventContext): void {
    const request = ctx.message as Message;
    this.dispositions.settle(ctx.delivery as Delivery, ACCEPTED);
    const state = this.connections.state(ctx.connection);
    const audienceText = textOf(applicationProperty(request, 'name'));
    let status = 202;
    let description = 'Accepted';
    if (this.credentials.sharedAccessKey !== undefined) {
      const verified = verifySasToken(
        request.body,
        this.credentials.sharedAccessKeyName ?? '',
        this.credentials.sharedAccessKey,
      );
      if ('error' in verified) {
        status = 401;
        description = verified.error;
        this.logger.warn(
          { audience: audienceText, reason: verified.error },
          'servicebus: $cbs token refused',
        );
      } else {
        state.audiences.add(normalizeAddress(verified.audience));
      }
    } else {
      state.audiences.add(normalizeAddress(audienceText));
    }
    reply(
      state,
      request,
      {
        correlation_id: request.message_id,
        application_properties: {
          'status-code': amqpTypes.wrap_int(status),
          'status-description': description,
          ...(status === 401 ? { 'error-condition': 'amqp:unauthorized-access' } : {}),
        },
      } as unknown as Message,
      this.logger,
    );
  }
}
