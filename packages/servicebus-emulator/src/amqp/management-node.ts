/**
 * The `<entity>/$management` request/response node (protocols/servicebus-amqp.md §6): lock renewal, peek,
 * scheduling, deferred messages, disposition by lock token, session lock and state, session listing. Each
 * operation parses the request map, calls one broker/entity operation and shapes the response map the SDK reads.
 */
import type { ServiceBusBroker } from '../broker.js';
import type { Done, MessageEntity } from '../entities/message-entity.js';
import { BrokerErrorCode, ServiceBusBrokerError } from '../errors/servicebus-broker-error.js';
import { toManagementFailure } from './amqp-error.translator.js';
import { encodeStoredMessage } from './delivery-encoder.js';
import { parseMessage, uuidFromBytes, uuidToBytes } from './message-codec.js';
import { amqpTypes, TYPECODE } from './rhea-codec.js';

export interface ManagementRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

export interface ManagementResponse {
  readonly statusCode: number;
  readonly statusDescription: string;
  readonly errorCondition?: string;
  readonly body?: unknown;
}

function argumentError(message: string): ServiceBusBrokerError {
  return new ServiceBusBrokerError(BrokerErrorCode.InvalidArgument, message);
}

function toNumber(value: unknown, field: string): number {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (Buffer.isBuffer(value) && value.length === 8) {
    return Number(value.readBigInt64BE(0));
  }
  throw argumentError(`'${field}' must be a long, got ${JSON.stringify(value)}`);
}

function toNumbers(value: unknown, field: string): number[] {
  if (!Array.isArray(value)) {
    throw argumentError(`'${field}' must be an array`);
  }
  return value.map((v) => toNumber(v, field));
}

function toLockTokens(value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw argumentError("'lock-tokens' must be an array of uuids");
  }
  return value.map((v) => (Buffer.isBuffer(v) ? uuidFromBytes(v) : String(v)));
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function promisify(run: (done: Done) => void): Promise<void> {
  return new Promise((resolve, reject) => run((error) => (error ? reject(error) : resolve())));
}

const OK = (body?: unknown): ManagementResponse => ({ statusCode: 200, statusDescription: 'OK', body });
const NO_CONTENT: ManagementResponse = { statusCode: 204, statusDescription: 'No Content' };

export class ManagementNode {
  constructor(
    private readonly broker: ServiceBusBroker,
    private readonly host: string,
  ) {}

  async handle(entityAddress: string, request: ManagementRequest): Promise<ManagementResponse> {
    try {
      return await this.dispatch(entityAddress, request);
    } catch (error) {
      const failure = toManagementFailure(error);
      return {
        statusCode: failure.statusCode,
        statusDescription: failure.description,
        errorCondition: failure.errorCondition,
      };
    }
  }

  private entity(address: string): MessageEntity {
    return this.broker.resolveEntity(address, this.host);
  }

  private async dispatch(
    address: string,
    { operation, body }: ManagementRequest,
  ): Promise<ManagementResponse> {
    switch (operation) {
      case 'com.microsoft:renew-lock': {
        const entity = this.entity(address);
        const expirations = toLockTokens(body['lock-tokens']).map(
          (token) => new Date(entity.renewLock(token)),
        );
        return OK({
          expirations: amqpTypes.wrap_array(
            expirations.map((d) => d.getTime()),
            TYPECODE.timestamp,
          ),
        });
      }
      case 'com.microsoft:peek-message': {
        const entity = this.entity(address);
        const from = toNumber(body['from-sequence-number'], 'from-sequence-number');
        const count = toNumber(body['message-count'], 'message-count');
        const messages = entity.peek(from, count, optionalString(body['session-id']));
        if (messages.length === 0) {
          return NO_CONTENT;
        }
        return OK({ messages: messages.map((m) => ({ message: encodeStoredMessage(m, false) })) });
      }
      case 'com.microsoft:schedule-message': {
        const target = this.broker.resolveSendTarget(address, this.host);
        const items = body.messages;
        if (!Array.isArray(items)) {
          throw argumentError("'messages' must be a list of {message: binary}");
        }
        const parsed = items.map((item: Record<string, unknown>) => {
          if (!Buffer.isBuffer(item.message)) {
            throw argumentError("each scheduled message must carry 'message' as binary");
          }
          return parseMessage(item.message);
        });
        const seqs = await new Promise<number[]>((resolve, reject) =>
          this.broker.schedule(target, parsed, (error, result) => (error ? reject(error) : resolve(result))),
        );
        return OK({ 'sequence-numbers': amqpTypes.wrap_array(seqs, TYPECODE.long) });
      }
      case 'com.microsoft:cancel-scheduled-message': {
        const target = this.broker.resolveSendTarget(address, this.host);
        const seqs = toNumbers(body['sequence-numbers'], 'sequence-numbers');
        await promisify((done) => this.broker.cancelScheduled(target, seqs, done));
        return OK();
      }
      case 'com.microsoft:receive-by-sequence-number': {
        const entity = this.entity(address);
        const seqs = toNumbers(body['sequence-numbers'], 'sequence-numbers');
        const peekLock = toNumber(body['receiver-settle-mode'] ?? 1, 'receiver-settle-mode') === 1;
        const messages = await new Promise<import('../store/stored-message.js').StoredMessage[]>(
          (resolve, reject) =>
            entity.receiveDeferred(seqs, peekLock, optionalString(body['session-id']), (error, found) =>
              error ? reject(error) : resolve(found),
            ),
        );
        return OK({
          messages: messages.map((m) => {
            const item: Record<string, unknown> = { message: encodeStoredMessage(m, peekLock) };
            if (peekLock && m.lockToken !== undefined) {
              item['lock-token'] = amqpTypes.wrap_uuid(uuidToBytes(m.lockToken));
            }
            return item;
          }),
        });
      }
      case 'com.microsoft:update-disposition': {
        const entity = this.entity(address);
        const status = String(body['disposition-status']);
        const properties = (body['properties-to-modify'] as Record<string, unknown> | undefined) ?? undefined;
        for (const token of toLockTokens(body['lock-tokens'])) {
          await promisify((done) => {
            switch (status) {
              case 'completed':
                entity.complete(token, done);
                return;
              case 'abandoned':
                entity.abandon(token, properties, done);
                return;
              case 'defered':
              case 'deferred':
                entity.defer(token, properties, done);
                return;
              case 'suspended':
                entity.deadLetterByLock(
                  token,
                  {
                    reason: optionalString(body['deadletter-reason']) ?? '',
                    description: optionalString(body['deadletter-description']) ?? '',
                    properties,
                  },
                  done,
                );
                return;
              default:
                done(argumentError(`unknown disposition-status '${status}'`));
            }
          });
        }
        return OK();
      }
      case 'com.microsoft:renew-session-lock': {
        const entity = this.entity(address);
        const sessionId = this.sessionId(body);
        return OK({ expiration: new Date(entity.renewSessionLock(sessionId, undefined)) });
      }
      case 'com.microsoft:get-session-state': {
        const entity = this.entity(address);
        const sessionId = this.sessionId(body);
        entity.sessionLock(sessionId, undefined);
        return OK({ 'session-state': entity.sessionStates.get(sessionId) ?? null });
      }
      case 'com.microsoft:set-session-state': {
        const entity = this.entity(address);
        const sessionId = this.sessionId(body);
        entity.sessionLock(sessionId, undefined);
        const state = body['session-state'];
        const buffer =
          state === null || state === undefined
            ? null
            : Buffer.isBuffer(state)
              ? state
              : Buffer.from(JSON.stringify(state));
        await promisify((done) => entity.setSessionState(sessionId, buffer, done));
        return OK();
      }
      case 'com.microsoft:get-message-sessions': {
        const entity = this.entity(address);
        const skip = body.skip === undefined ? 0 : toNumber(body.skip, 'skip');
        const top = body.top === undefined ? 100 : toNumber(body.top, 'top');
        const ids = entity.sessionIds().slice(skip, skip + top);
        if (ids.length === 0) {
          return NO_CONTENT;
        }
        return OK({ skip: skip + ids.length, 'sessions-ids': amqpTypes.wrap_array(ids, TYPECODE.string) });
      }
      default:
        throw new ServiceBusBrokerError(
          BrokerErrorCode.NotImplemented,
          `The management operation '${operation}' is not supported by the embedded Service Bus broker.`,
          { operation },
        );
    }
  }

  private sessionId(body: Record<string, unknown>): string {
    const sessionId = body['session-id'];
    if (typeof sessionId !== 'string') {
      throw argumentError("'session-id' is required");
    }
    return sessionId;
  }
}
