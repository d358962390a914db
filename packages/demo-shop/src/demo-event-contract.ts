/**
 * docs/events.md §3 as data: the required and optional `data` fields of every event type and their JSON
 * types. The specs run every generated event through `contractViolations`, so the simulator cannot drift from
 * the contract the update policies and functions are written against.
 */
import { DEMO_EVENT_TYPES, type DemoEventEnvelope, type DemoEventType } from './demo-event.js';

type FieldType = 'string' | 'number' | 'integer' | 'timestamp' | 'object' | 'array';
interface FieldSpec {
  readonly type: FieldType;
  readonly optional?: boolean;
}

const s: FieldSpec = { type: 'string' };
const os: FieldSpec = { type: 'string', optional: true };
const num: FieldSpec = { type: 'number' };
const int: FieldSpec = { type: 'integer' };
const ts: FieldSpec = { type: 'timestamp' };

const customer = { customerId: s, country: s, segment: s, signupChannel: s };
const payment = {
  paymentId: s,
  orderId: s,
  accountId: s,
  customerId: s,
  amount: num,
  currency: s,
  method: s,
  card: { type: 'object', optional: true } as FieldSpec,
  deviceId: s,
  ipAddress: s,
  ipCountry: s,
};
const shipment = { shipmentId: s, orderId: s, warehouse: s, carrier: s, promisedAt: ts, dispatchedAt: ts };
const account = { accountId: s, customerId: s, accountType: s, currency: s };

export const EVENT_CONTRACT: Readonly<Record<DemoEventType, Readonly<Record<string, FieldSpec>>>> = {
  'customer.registered': customer,
  'customer.updated': customer,
  'account.opened': { ...account, creditLimit: { type: 'number', optional: true } },
  'account.status_changed': { ...account, status: s, reason: os },
  'order.placed': {
    orderId: s,
    customerId: s,
    accountId: s,
    channel: s,
    currency: s,
    totalAmount: num,
    shippingCountry: s,
    lines: { type: 'array' },
    attribution: { type: 'object', optional: true },
  },
  'order.cancelled': { orderId: s, customerId: s, accountId: s, currency: s, totalAmount: num, reason: s },
  'payment.authorized': payment,
  'payment.declined': { ...payment, declineReason: s },
  'payment.refunded': { ...payment, refundOfPaymentId: s },
  'shipment.dispatched': shipment,
  'shipment.delivered': { ...shipment, deliveredAt: ts },
  'inventory.moved': {
    movementId: s,
    sku: s,
    warehouse: s,
    movementType: s,
    quantity: int,
    onHandAfter: int,
    orderId: os,
  },
  'campaign.impression': {
    impressionId: s,
    campaignId: s,
    customerId: os,
    channel: s,
    placement: s,
    cost: num,
  },
  'campaign.click': { clickId: s, impressionId: s, campaignId: s, customerId: os, channel: s, cost: num },
};

const ENUMS: Readonly<Record<string, readonly string[]>> = {
  segment: ['consumer', 'smb', 'enterprise'],
  signupChannel: ['web', 'app', 'store', 'partner'],
  accountType: ['card', 'wallet', 'bnpl'],
  status: ['active', 'frozen', 'closed'],
  method: ['card', 'wallet', 'bank_transfer'],
  declineReason: ['insufficient_funds', 'suspected_fraud', 'expired_card', 'do_not_honor'],
  movementType: ['receipt', 'sale', 'return', 'adjustment', 'transfer_in', 'transfer_out'],
};

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function typeOk(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string' && value.length > 0;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'timestamp':
      return typeof value === 'string' && ISO_UTC.test(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
  }
}

/** Every way `event` breaks docs/events.md, as readable strings; empty when it conforms. */
export function contractViolations(event: DemoEventEnvelope): string[] {
  const problems: string[] = [];
  const where = `${event.eventType} ${event.messageId}`;
  if (!UUID.test(event.messageId) || !UUID.test(event.eventId)) {
    problems.push(`${where}: messageId and eventId must be UUIDs`);
  }
  if (!(DEMO_EVENT_TYPES as readonly string[]).includes(event.eventType)) {
    problems.push(`${where}: unknown eventType`);
    return problems;
  }
  if (!ISO_UTC.test(event.occurredAt)) {
    problems.push(`${where}: occurredAt '${event.occurredAt}' is not ISO-8601 UTC`);
  }
  if (!event.tenantId) {
    problems.push(`${where}: tenantId missing`);
  }
  const spec = EVENT_CONTRACT[event.eventType];
  for (const [field, fieldSpec] of Object.entries(spec)) {
    const value = event.data[field];
    if (value === undefined || value === null) {
      if (!fieldSpec.optional) {
        problems.push(`${where}: data.${field} is required`);
      }
      continue;
    }
    if (!typeOk(value, fieldSpec.type)) {
      problems.push(`${where}: data.${field} must be a ${fieldSpec.type}, got ${JSON.stringify(value)}`);
    }
    const allowed = ENUMS[field];
    if (allowed && !allowed.includes(value as string)) {
      problems.push(`${where}: data.${field} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
    }
  }
  for (const field of Object.keys(event.data)) {
    if (!(field in spec)) {
      problems.push(`${where}: data.${field} is not in the contract`);
    }
  }
  for (const field of ['amount', 'totalAmount', 'cost'] as const) {
    const value = event.data[field];
    if (typeof value === 'number' && value < 0) {
      problems.push(`${where}: data.${field} must not be negative`);
    }
  }
  return problems;
}
