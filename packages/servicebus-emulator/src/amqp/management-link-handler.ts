/**
 * `<entity>/$management`: request/response operations (peek, renew-lock, schedule, settle by lock token,
 * session state…). The link only decodes the request and encodes the answer; `ManagementNode` does the work.
 */
import type { Delivery, EventContext, Message, Receiver } from 'rhea';
import type { ServiceBusBroker } from '../broker.js';
import type { Logger } from '../logging/logger.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { ACCEPTED, type DispositionWriter } from './disposition-writer.js';
import { ManagementNode } from './management-node.js';
import { applicationProperty, reply, textOf } from './reply-link.js';
import { amqpTypes } from './rhea-codec.js';

export const MANAGEMENT_SUFFIX = '/$management';

export function isManagementAddress(address: string): boolean {
  return address.toLowerCase().endsWith(MANAGEMENT_SUFFIX);
}

export class ManagementLinkHandler {
  private readonly entities = new WeakMap<Receiver, string>();

  constructor(
    private readonly broker: ServiceBusBroker,
    private readonly connections: ConnectionRegistry,
    private readonly logger: Logger,
    private readonly dispositions: DispositionWriter,
  ) {}

  /** The client's request link to `<entity>/$management`; throws Unauthorized without a token for it. */
  attach(ctx: EventContext, receiver: Receiver, address: string): void {
    this.connections.authorize(ctx.connection, address);
    this.entities.set(receiver, address.slice(0, -MANAGEMENT_SUFFIX.length));
  }

  onMessage(ctx: EventContext): void {
    const entity = this.entities.get(ctx.receiver as Receiver);
    this.dispositions.settle(ctx.delivery as Delivery, ACCEPTED);
    if (entity !== undefined) {
      void this.handle(ctx, entity, ctx.message as Message);
    }
  }

  private async handle(ctx: EventContext, entity: string, request: Message): Promise<void> {
    const state = this.connections.state(ctx.connection);
    const node = new ManagementNode(this.broker, state.host);
    const operation = textOf(applicationProperty(request, 'operation'));
    const body = (request.body as Record<string, unknown> | undefined) ?? {};
    const response = await node.handle(entity, { operation, body });
    if (response.statusCode >= 300) {
      this.logger.debug(
        { entity, operation, status: response.statusCode, description: response.statusDescription },
        'management request failed',
      );
    }
    const applicationProperties: Record<string, unknown> = {
      statusCode: amqpTypes.wrap_int(response.statusCode),
      statusDescription: response.statusDescription,
    };
    if (response.errorCondition !== undefined) {
      applicationProperties.errorCondition = response.errorCondition;
    }
    reply(
      state,
      request,
      {
        correlation_id: request.message_id,
        application_properties: applicationProperties,
        ...(response.body === undefined ? {} : { body: response.body }),
      } as Message,
      this.logger,
    );
  }
}
