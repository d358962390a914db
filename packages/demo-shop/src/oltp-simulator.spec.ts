import { describe, expect, it } from 'vitest';
import { FRAUD_VICTIMS, buildCustomerProfile } from './customer-profile.js';
import type { DemoEvent } from './demo-event.js';
import { contractViolations } from './demo-event-contract.js';
import { COUNTRIES, distanceKm } from './demo-reference-data.js';
import type { FollowUp } from './follow-up-queue.js';
import { InMemoryFollowUpQueue } from './follow-up-queue.js';
import { OltpSimulator } from './oltp-simulator.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A Monday, 00:00 UTC.
const START = Date.UTC(2026, 10, 16);

function run(seed: number, untilMs: number, rate: number, startMs = START): DemoEvent[] {
  const sim = OltpSimulator.create({ seed }, new InMemoryFollowUpQueue(), startMs);
  const events: DemoEvent[] = [];
  for (let t = startMs + HOUR; t <= untilMs; t += HOUR) {
    events.push(...sim.advance(t, rate));
  }
  return events;
}

function drain(queue: InMemoryFollowUpQueue): FollowUp[] {
  const items: FollowUp[] = [];
  for (let item = queue.pop(); item; item = queue.pop()) {
    items.push(item);
  }
  return items;
}

/** Four days at 0.1 events/s: ~35k events, long enough for deliveries and refunds to happen. */
const fourDays = run(42, START + 4 * DAY, 0.1);

describe(OltpSimulator.name, () => {
  describe('advance', () => {
    it('should produce the same events for the same seed and start', () => {
      const again = run(42, START + 6 * HOUR, 0.1);
      expect(again).toEqual(fourDays.slice(0, again.length));
      expect(again.length).toBeGreaterThan(500);
    });

    it('should produce other events for another seed', () => {
      const other = run(43, START + 6 * HOUR, 0.1);
      expect(other[0].messageId).not.toBe(fourDays[0].messageId);
      expect(other.map((e) => e.data)).not.toEqual(fourDays.slice(0, other.length).map((e) => e.data));
    });

    it('should not depend on how the time range is cut into steps', () => {
      const sim = OltpSimulator.create({ seed: 42 }, new InMemoryFollowUpQueue(), START);
      const fine: DemoEvent[] = [];
      for (let t = START + 60_000; t <= START + 6 * HOUR; t += 60_000) {
        fine.push(...sim.advance(t, 0.1));
      }
      expect(fine).toEqual(fourDays.slice(0, fine.length));
    });

    it('should spread a large initial population over steps of at most maxEvents', () => {
      const sim = OltpSimulator.create(
        { seed: 1, initialCustomers: 1_000 },
        new InMemoryFollowUpQueue(),
        START,
      );
      const first = sim.advance(START, 0, 100);
      // A customer's registration and account openings stay together, so a step may end a little past the cap.
      expect(first.length).toBeGreaterThanOrEqual(100);
      expect(first.length).toBeLessThanOrEqual(103);
      let registered = first.filter((e) => e.eventType === 'customer.registered').length;
      for (let i = 0; i < 100 && registered < 1_000; i++) {
        registered += sim.advance(START, 0, 100).filter((e) => e.eventType === 'customer.registered').length;
      }
      expect(registered).toBe(1_000);
    });

    it('should register the starting customers over a span, interleaved in time with other activity', () => {
      const sim = OltpSimulator.create(
        { seed: 1, initialCustomers: 200, initialRegistrationSpanMs: 10 * HOUR },
        new InMemoryFollowUpQueue(),
        START,
      );
      const firstHour = sim.advance(START + HOUR, 0.1);
      const registeredBy = (events: DemoEvent[]): number =>
        events.filter((e) => e.eventType === 'customer.registered').length;
      // One every 3 minutes, plus the odd sign-up from the shop's own activity.
      expect(registeredBy(firstHour)).toBeGreaterThanOrEqual(20);
      expect(registeredBy(firstHour)).toBeLessThan(60);
      const firstOrder = firstHour.findIndex((e) => e.eventType === 'order.placed');
      expect(firstOrder).toBeGreaterThan(-1);
      expect(firstOrder).toBeLessThan(firstHour.length / 2);
      const rest = sim.advance(START + 11 * HOUR, 0.1);
      expect(registeredBy(firstHour) + registeredBy(rest)).toBeGreaterThanOrEqual(200);
      const all = [...firstHour, ...rest];
      all.slice(1).forEach((e, i) => expect(e.occurredAt >= all[i].occurredAt).toBe(true));
      expect(all.map((e) => contractViolations(e)).flat()).toEqual([]);
      // The same stream however the time is cut into steps.
      const stepped = OltpSimulator.create(
        { seed: 1, initialCustomers: 200, initialRegistrationSpanMs: 10 * HOUR },
        new InMemoryFollowUpQueue(),
        START,
      );
      const steps: DemoEvent[] = [];
      for (let t = START + 10 * 60_000; t <= START + 11 * HOUR; t += 10 * 60_000) {
        steps.push(...stepped.advance(t, 0.1));
      }
      expect(steps.map((e) => `${e.messageId} ${e.occurredAt}`)).toEqual(
        all.map((e) => `${e.messageId} ${e.occurredAt}`),
      );
    });

    it('should number events consecutively and keep occurredAt in order', () => {
      fourDays.forEach((e, i) => expect(e.seq).toBe(i + 1));
      const times = fourDays.map((e) => Date.parse(e.occurredAt));
      expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
      expect(new Set(fourDays.map((e) => e.messageId)).size).toBe(fourDays.length);
    });

    it('should emit only events that satisfy docs/events.md', () => {
      const problems = fourDays.flatMap((e) => contractViolations(e));
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it('should emit every event type of the contract', () => {
      const types = new Set(fourDays.map((e) => e.eventType));
      expect([...types].sort()).toEqual([
        'account.opened',
        'account.status_changed',
        'campaign.click',
        'campaign.impression',
        'customer.registered',
        'customer.updated',
        'inventory.moved',
        'order.cancelled',
        'order.placed',
        'payment.authorized',
        'payment.declined',
        'payment.refunded',
        'shipment.delivered',
        'shipment.dispatched',
      ]);
    });

    it('should average the requested rate once the follow-up pipeline is full', () => {
      const events = run(7, START + 7 * DAY, 0.05);
      const lastDays = events.filter((e) => Date.parse(e.occurredAt) >= START + 3 * DAY);
      const perSecond = lastDays.length / (4 * 86_400);
      // Thursday to Sunday runs above the weekly mean (weekend peak), hence the asymmetric band.
      expect(perSecond).toBeGreaterThan(0.05 * 0.85);
      expect(perSecond).toBeLessThan(0.05 * 1.35);
    });

    it('should follow the diurnal cycle', () => {
      const byHour = new Array<number>(24).fill(0);
      for (const e of fourDays) {
        if (e.eventType === 'campaign.impression') {
          byHour[new Date(e.occurredAt).getUTCHours()]++;
        }
      }
      expect(byHour[20]).toBeGreaterThan(byHour[3] * 5);
    });

    it('should produce heavy-tailed order amounts with totals equal to the sum of the lines', () => {
      const orders = fourDays.filter((e) => e.eventType === 'order.placed');
      const amounts = orders.map((e) => e.data.totalAmount as number).sort((a, b) => a - b);
      const median = amounts[Math.floor(amounts.length / 2)];
      expect(amounts[amounts.length - 1]).toBeGreaterThan(median * 15);
      for (const o of orders) {
        const lines = o.data.lines as { quantity: number; unitPrice: number }[];
        const sum = lines.reduce((acc, l) => acc + l.quantity * l.unitPrice, 0);
        expect(o.data.totalAmount).toBeCloseTo(sum, 2);
      }
    });

    it('should keep the lifecycle of an order in the contract order', () => {
      const byOrder = new Map<string, string[]>();
      for (const e of fourDays) {
        const orderId = e.data.orderId as string | undefined;
        if (orderId && e.eventType !== 'inventory.moved') {
          byOrder.set(orderId, [...(byOrder.get(orderId) ?? []), e.eventType]);
        }
      }
      const delivered = [...byOrder.values()].filter((types) => types.includes('shipment.delivered'));
      expect(delivered.length).toBeGreaterThan(100);
      for (const types of byOrder.values()) {
        expect(types[0]).toBe('order.placed');
        const firstPayment = types.findIndex((t) => t.startsWith('payment.'));
        if (types.includes('shipment.dispatched')) {
          expect(types.indexOf('payment.authorized')).toBeLessThan(types.indexOf('shipment.dispatched'));
        }
        if (types.includes('shipment.delivered')) {
          expect(types.indexOf('shipment.dispatched')).toBeLessThan(types.indexOf('shipment.delivered'));
        }
        if (firstPayment >= 0) {
          expect(firstPayment).toBe(1);
        }
      }
    });

    it('should attribute orders to clicks of the same campaign and tenant', () => {
      const clicks = new Map(
        fourDays.filter((e) => e.eventType === 'campaign.click').map((e) => [e.data.clickId as string, e]),
      );
      const attributed = fourDays.filter((e) => e.eventType === 'order.placed' && e.data.attribution);
      expect(attributed.length).toBeGreaterThan(5);
      for (const order of attributed) {
        const { campaignId, clickId } = order.data.attribution as { campaignId: string; clickId: string };
        const click = clicks.get(clickId);
        expect(click?.data.campaignId).toBe(campaignId);
        expect(click?.tenantId).toBe(order.tenantId);
        expect(Date.parse(click!.occurredAt)).toBeLessThan(Date.parse(order.occurredAt));
      }
    });

    it('should keep stock on hand consistent per warehouse and SKU', () => {
      const onHand = new Map<string, number>();
      for (const e of fourDays.filter((x) => x.eventType === 'inventory.moved')) {
        const key = `${e.data.warehouse as string}|${e.data.sku as string}`;
        const after = e.data.onHandAfter as number;
        const previous = onHand.get(key);
        if (previous !== undefined) {
          expect(after).toBe(previous + (e.data.quantity as number));
        }
        expect(after).toBeGreaterThanOrEqual(0);
        const type = e.data.movementType as string;
        expect((e.data.quantity as number) < 0).toBe(
          type === 'sale' || type === 'transfer_out' || type === 'adjustment'
            ? (e.data.quantity as number) < 0
            : false,
        );
        onHand.set(key, after);
      }
    });
  });

  describe('snapshot', () => {
    it('should let a restored simulator continue exactly like the original', () => {
      const queue = new InMemoryFollowUpQueue();
      const sim = OltpSimulator.create({ seed: 42 }, queue, START);
      const first = sim.advance(START + 3 * HOUR, 0.1);
      const snapshot = JSON.parse(JSON.stringify(sim.snapshot())) as ReturnType<typeof sim.snapshot>;
      const pending = drain(queue);
      const queueA = new InMemoryFollowUpQueue();
      const queueB = new InMemoryFollowUpQueue();
      for (const item of pending) {
        queueA.push(item);
        queueB.push(JSON.parse(JSON.stringify(item)) as FollowUp);
      }
      const original = OltpSimulator.restore({ seed: 42 }, queueA, sim.snapshot());
      const restored = OltpSimulator.restore({ seed: 42 }, queueB, snapshot);
      const a = original.advance(START + 6 * HOUR, 0.1);
      const b = restored.advance(START + 6 * HOUR, 0.1);
      expect(b).toEqual(a);
      expect([...first, ...a]).toEqual(fourDays.slice(0, first.length + a.length));
    });

    it('should refuse a snapshot taken with another seed', () => {
      const sim = OltpSimulator.create({ seed: 1 }, new InMemoryFollowUpQueue(), START);
      expect(() => OltpSimulator.restore({ seed: 2 }, new InMemoryFollowUpQueue(), sim.snapshot())).toThrow(
        'The demo store was created with DEMO_SEED=1 but the producer runs with 2; use the same seed or a fresh DATA_DIR',
      );
    });
  });

  describe('injectFraud', () => {
    const sim = OltpSimulator.create({ seed: 42 }, new InMemoryFollowUpQueue(), START);
    sim.advance(START + 4 * DAY, 0.1);
    sim.injectFraud(START + 4 * DAY + 1_000);
    const window = sim.advance(START + 4 * DAY + HOUR, 0.1);
    const payments = window.filter(
      (e) => e.eventType.startsWith('payment.') && e.eventType !== 'payment.refunded',
    );
    const byAccount = (accountId: string) => payments.filter((e) => e.data.accountId === accountId);
    const victim = (pattern: keyof typeof FRAUD_VICTIMS) =>
      buildCustomerProfile(42, FRAUD_VICTIMS[pattern][0]);

    it('should inject a card-testing burst of small, mostly declined payments from abroad', () => {
      const account = victim('card_testing').accounts[0].accountId;
      const burst = byAccount(account).filter((e) => (e.data.amount as number) < 5);
      expect(burst.length).toBeGreaterThanOrEqual(16);
      expect(burst.filter((e) => e.eventType === 'payment.declined').length).toBeGreaterThan(
        burst.length / 2,
      );
      expect(new Set(burst.map((e) => e.data.ipCountry))).not.toContain(victim('card_testing').country);
      const span = Date.parse(burst[burst.length - 1].occurredAt) - Date.parse(burst[0].occurredAt);
      expect(span).toBeLessThan(5 * 60_000);
      const frozen = window.find(
        (e) => e.eventType === 'account.status_changed' && e.data.accountId === account,
      );
      expect(frozen?.data).toMatchObject({ status: 'frozen', reason: 'fraud_suspected' });
    });

    it('should inject impossible travel: the same card in countries thousands of km apart within minutes', () => {
      const v = victim('impossible_travel');
      const travel = byAccount(v.accounts[0].accountId).filter((e) => e.eventType === 'payment.authorized');
      const home = travel.find((e) => e.data.ipCountry === v.country);
      const abroad = travel.filter((e) => e.data.ipCountry !== v.country);
      expect(home).toBeDefined();
      expect(abroad.length).toBeGreaterThanOrEqual(3);
      const km = distanceKm(COUNTRIES[v.country], COUNTRIES[abroad[0].data.ipCountry as string]);
      expect(km).toBeGreaterThan(5_000);
      expect(Date.parse(abroad[0].occurredAt) - Date.parse(home!.occurredAt)).toBeLessThan(15 * 60_000);
    });

    it('should inject amount spikes far above the account usual amounts', () => {
      const v = victim('amount_spike');
      const spikes = byAccount(v.accounts[0].accountId).filter((e) => (e.data.amount as number) > 2_000);
      expect(spikes.length).toBe(3);
      const usual = fourDays
        .filter((e) => e.eventType === 'payment.authorized' && e.data.accountId === v.accounts[0].accountId)
        .map((e) => e.data.amount as number)
        // Earlier random incidents on the same account are spikes too, not its usual spending.
        .filter((amount) => amount < 2_000);
      // The victim's regular shopping habit gives it a baseline in the history.
      expect(usual.length).toBeGreaterThanOrEqual(3);
      const usualMedian = usual.sort((a, b) => a - b)[Math.floor(usual.length / 2)];
      expect(Math.min(...spikes.map((e) => e.data.amount as number))).toBeGreaterThan(usualMedian * 10);
    });
  });
});
