import { describe, expect, it } from 'vitest';
import { toEnvelope, type DemoEventEnvelope } from './demo-event.js';
import { InMemoryFollowUpQueue } from './follow-up-queue.js';
import {
  decodeOperationalEvent,
  OperationalDeadLetterReason,
  PoisonMessageError,
  type ReceivedEventMessage,
} from './operational-event-decoder.js';
import { OltpSimulator } from './oltp-simulator.js';

const START = Date.UTC(2026, 10, 16);

function anEvent(type = 'order.placed'): DemoEventEnvelope {
  const sim = OltpSimulator.create({ seed: 3, initialCustomers: 20 }, new InMemoryFollowUpQueue(), START);
  const event = sim.advance(START + 3_600_000, 1).find((e) => e.eventType === type);
  if (!event) {
    throw new Error(`the simulator made no ${type} in its first hour`);
  }
  return toEnvelope(event);
}

function message(body: unknown, messageId?: string): ReceivedEventMessage {
  return { messageId, body, enqueuedTimeUtc: new Date(START + 5_000) };
}

function poisonOf(received: ReceivedEventMessage): PoisonMessageError {
  try {
    decodeOperationalEvent(received);
  } catch (error) {
    if (error instanceof PoisonMessageError) {
      return error;
    }
    throw error;
  }
  throw new Error('decoded a poison message');
}

describe('decodeOperationalEvent', () => {
  it('should key the event by the MessageId and keep the JSON text as received', () => {
    const envelope = anEvent();
    const text = JSON.stringify(envelope);
    expect(decodeOperationalEvent(message(Buffer.from(text), envelope.messageId))).toEqual({
      messageId: envelope.messageId,
      eventId: envelope.eventId,
      eventType: 'order.placed',
      tenantId: envelope.tenantId,
      occurredAt: envelope.occurredAt,
      body: text,
      enqueuedAtMs: START + 5_000,
    });
  });

  it('should take a string body as JSON text and an AMQP map as the object itself', () => {
    const envelope = anEvent();
    expect(decodeOperationalEvent(message(JSON.stringify(envelope), envelope.messageId)).eventId).toBe(
      envelope.eventId,
    );
    expect(decodeOperationalEvent(message(envelope, envelope.messageId)).body).toBe(JSON.stringify(envelope));
  });

  it('should reject a body that is not JSON as InvalidJson, with the parser error', () => {
    const poison = poisonOf(message(Buffer.from('{"messageId": '), 'm-1'));
    expect(poison.reason).toBe(OperationalDeadLetterReason.InvalidJson);
    expect(poison.description).toMatch(/^the body is not JSON: /);
    expect(poison.messageId).toBe('m-1');
  });

  it('should reject JSON that is not one object as InvalidJson, saying what it is', () => {
    expect(poisonOf(message(Buffer.from('[1,2]'), 'm-2')).description).toBe(
      'the body is a JSON array, not one event object',
    );
    expect(poisonOf(message(Buffer.from('"text"'), 'm-3')).description).toBe(
      'the body is the JSON string, not one event object',
    );
    expect(poisonOf(message(Buffer.from('null'), 'm-4')).description).toBe(
      'the body is the JSON null, not one event object',
    );
  });

  it('should list every missing envelope field and a messageId that is not the broker one', () => {
    const envelope = anEvent();
    const broken = { ...envelope, tenantId: '', data: [1], eventId: undefined };
    const poison = poisonOf(message(Buffer.from(JSON.stringify(broken)), 'another-id'));
    expect(poison.reason).toBe(OperationalDeadLetterReason.ContractViolation);
    expect(poison.description).toBe(
      'eventId must be a non-empty string, got nothing; tenantId must be a non-empty string, got ""; ' +
        `data must be an object, got [1]; messageId "${envelope.messageId}" is not the message's MessageId 'another-id'`,
    );
  });

  it('should check the data against the event contract', () => {
    const envelope = anEvent();
    const broken = { ...envelope, data: { ...envelope.data, totalAmount: 'lots' } };
    expect(poisonOf(message(Buffer.from(JSON.stringify(broken)), envelope.messageId)).description).toBe(
      'data.totalAmount must be a number, got "lots"',
    );
    const unknown = { ...envelope, eventType: 'order.teleported' };
    expect(poisonOf(message(Buffer.from(JSON.stringify(unknown)), envelope.messageId)).description).toBe(
      'unknown eventType',
    );
  });

  it('should turn data nested too deeply to check into a poison message, not an exception', () => {
    const envelope = anEvent();
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const text = JSON.stringify({ ...envelope, data: { ...envelope.data, totalAmount: 0 } }).replace(
      '"totalAmount":0',
      `"totalAmount":${deep}`,
    );
    const poison = poisonOf(message(Buffer.from(text), envelope.messageId));
    expect(poison.reason).toBe(OperationalDeadLetterReason.ContractViolation);
    expect(poison.description).toMatch(/^the event cannot be checked: Maximum call stack size exceeded$/);
  });

  it('should reject a message without MessageId', () => {
    expect(poisonOf(message(Buffer.from('{}'))).description).toBe('the message has no MessageId');
  });
});
