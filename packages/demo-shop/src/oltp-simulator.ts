/**
 * The simulated e-commerce and payments shop: given a seed it produces the same stream of events every time
 * (docs/events.md shapes), with the arrival times of a non-homogeneous Poisson process shaped by
 * `activityAt` (diurnal and weekly seasonality) and heavy-tailed baskets.
 *
 * How it works:
 * - *Root activities* (an ad impression, an organic order, a registration, a stock adjustment, a fraud
 *   incident) arrive at random; the rate is thinned by the activity curve (Lewis-Shedler thinning).
 * - Each root schedules *follow-ups* on a `FollowUpQueue` (click → conversion → payment → fulfilment →
 *   delivery → refund), each due at a realistic delay. The queue is ordered by time, so the stream is in
 *   `occurredAt` order.
 * - Everything else the simulator needs to continue (PRNG state, counters, stock on hand, frozen accounts) is
 *   in a small JSON `SimulatorSnapshot`; customers are derived from their number (`customer-profile.ts`). A
 *   snapshot plus the queue restore the simulator exactly.
 * - Fraud is injected at known accounts (`FRAUD_VICTIMS`): card-testing bursts of small, mostly declined
 *   payments from a foreign IP; impossible travel (the same card used from two far-apart countries minutes
 *   apart); and amount spikes far above the account's usual basket.
 */
import {
  CustomerDirectory,
  FRAUD_VICTIMS,
  deviceIdFrom,
  ipAddressIn,
  type AccountProfile,
  type CustomerProfile,
  type FraudPattern,
} from './customer-profile.js';
import type { DemoEvent, DemoEventType } from './demo-event.js';
import {
  FRAUD_IP_COUNTRIES,
  PRODUCT_COUNT,
  TENANTS,
  buildProducts,
  country,
  distanceKm,
  round2,
  tenantById,
  type Product,
  type Tenant,
  type Warehouse,
} from './demo-reference-data.js';
import type {
  FollowUpAction,
  FollowUpKind,
  OrderLineRef,
  OrderRef,
  PaymentOverride,
  ShipmentRef,
} from './follow-up-action.js';
import type { FollowUpQueue } from './follow-up-queue.js';
import { SeededRandom } from './seeded-random.js';
import { MAX_ACTIVITY, activityAt } from './traffic-shape.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Average number of events one root activity turns into (measured by the unit spec). Root arrivals are
 * generated at `rate / EVENTS_PER_ROOT`, so the stream averages `rate` events per second once the follow-up
 * pipeline is full.
 */
export const EVENTS_PER_ROOT = 1.4;

/** Chance that a root activity is a fraud incident instead: a few per hour at the default 50 events/s. */
const FRAUD_INCIDENT_PROBABILITY = 0.0004;
const CARD_TEST_ATTEMPTS = 16;
/** Purchases from the far-away country after the genuine one at home. */
const IMPOSSIBLE_TRAVEL_FOREIGN_ORDERS = 3;
const AMOUNT_SPIKE_ORDERS = 3;
const REORDER_POINT = 25;
/** The fraud ring's device: card testing on different victims shares it, which scoring can pick up. */
const FRAUD_RING_DEVICE = 'd-f7a0d1';

export interface SimulatorOptions {
  readonly seed: number;
  /** Customers registered at the very start, so that orders have someone to come from. Default 300. */
  readonly initialCustomers?: number;
  /**
   * The starting customers register evenly over this span from the start, interleaved in time with the shop's
   * other activity, instead of all at once (0, the default). A long history then does not open with one burst of
   * thousands of registrations that everything else queues behind on the topic.
   */
  readonly initialRegistrationSpanMs?: number;
}

export interface SimulatorCounters {
  customers: number;
  orders: number;
  payments: number;
  shipments: number;
  movements: number;
  impressions: number;
  clicks: number;
}

export interface SimulatorSnapshot {
  readonly version: 1;
  readonly seed: number;
  readonly rng: number;
  readonly seq: number;
  readonly startMs: number;
  readonly clockMs: number;
  /** occurredAt of the last event: events never go back in time, even by the few ms handlers add. */
  readonly lastEventMs: number;
  /** Next candidate root arrival; null when the rate is 0. */
  readonly nextArrivalMs: number | null;
  /** The rate and seasonality `nextArrivalMs` was sampled for. */
  readonly arrivalRate: number;
  readonly arrivalSeasonality: number;
  readonly nextFollowUpId: number;
  readonly counters: SimulatorCounters;
  readonly stock: Readonly<Record<string, number>>;
  readonly restocking: readonly string[];
  readonly frozen: readonly string[];
}

type MutableSnapshot = { -readonly [K in keyof SimulatorSnapshot]: SimulatorSnapshot[K] };

type Handlers = { [K in FollowUpKind]: (action: Extract<FollowUpAction, { kind: K }>, atMs: number) => void };

export class OltpSimulator {
  private readonly state: MutableSnapshot;
  private readonly rng: SeededRandom;
  private readonly customers: CustomerDirectory;
  private readonly products: Product[];
  private readonly stock: Map<string, number>;
  private readonly restocking: Set<string>;
  private readonly frozen: Set<string>;
  private readonly initialCustomers: number;
  /** Time between two starting customers' registrations; 0 = all registered up front. */
  private readonly registrationSpacingMs: number;
  private out: DemoEvent[] = [];

  private readonly handlers: Handlers = {
    click: (a, t) => this.click(a, t),
    convert: (a, t) => this.convert(a, t),
    pay: (a, t) => this.pay(a, t),
    cancel: (a, t) => this.cancel(a.order, a.reason, t),
    fulfil: (a, t) => this.fulfil(a, t),
    dispatch: (a, t) => this.dispatch(a, t),
    deliver: (a, t) => this.deliver(a, t),
    refund: (a, t) => this.refund(a, t),
    restock: (a, t) => this.restock(a, t),
    habit: (a, t) => this.habit(a.customerN, t),
    fraud: (a, t) => this.fraudStep(a.pattern, a.victimN, a.step, t),
    'account-status': (a, t) => this.accountStatus(a, t),
  };

  private constructor(
    options: SimulatorOptions,
    private readonly queue: FollowUpQueue,
    snapshot: SimulatorSnapshot,
  ) {
    if (snapshot.seed !== options.seed) {
      throw new Error(
        `The demo store was created with DEMO_SEED=${snapshot.seed} but the producer runs with ${options.seed}; ` +
          'use the same seed or a fresh DATA_DIR',
      );
    }
    this.state = { ...snapshot, counters: { ...snapshot.counters } };
    this.rng = new SeededRandom(snapshot.rng);
    this.customers = new CustomerDirectory(options.seed);
    this.products = buildProducts(options.seed);
    this.stock = new Map(Object.entries(snapshot.stock));
    this.restocking = new Set(snapshot.restocking);
    this.frozen = new Set(snapshot.frozen);
    this.initialCustomers = options.initialCustomers ?? 300;
    this.registrationSpacingMs =
      this.initialCustomers > 0
        ? Math.max(0, options.initialRegistrationSpanMs ?? 0) / this.initialCustomers
        : 0;
  }

  /** A new shop whose history begins at `startMs`. */
  static create(options: SimulatorOptions, queue: FollowUpQueue, startMs: number): OltpSimulator {
    const sim = new OltpSimulator(options, queue, {
      version: 1,
      seed: options.seed,
      rng: SeededRandom.derive(options.seed, 'simulator').getState(),
      seq: 0,
      startMs,
      clockMs: startMs,
      lastEventMs: startMs,
      nextArrivalMs: null,
      arrivalRate: 0,
      arrivalSeasonality: 1,
      nextFollowUpId: 1,
      counters: {
        customers: 0,
        orders: 0,
        payments: 0,
        shipments: 0,
        movements: 0,
        impressions: 0,
        clicks: 0,
      },
      stock: {},
      restocking: [],
      frozen: [],
    });
    // The fraud victims shop regularly, so fraud scoring has a normal baseline to compare their fraud with.
    for (const n of Object.values(FRAUD_VICTIMS).flat()) {
      sim.schedule(startMs + HOUR + sim.rng.uniform(0, 12 * HOUR), { kind: 'habit', customerN: n });
    }
    return sim;
  }

  /** Continues from a snapshot; `queue` must hold the follow-ups that were pending when it was taken. */
  static restore(
    options: SimulatorOptions,
    queue: FollowUpQueue,
    snapshot: SimulatorSnapshot,
  ): OltpSimulator {
    if (snapshot.version !== 1) {
      throw new Error(`Unsupported demo simulator snapshot version ${String(snapshot.version)}`);
    }
    return new OltpSimulator(options, queue, snapshot);
  }

  get clockMs(): number {
    return this.state.clockMs;
  }

  get seq(): number {
    return this.state.seq;
  }

  snapshot(): SimulatorSnapshot {
    return {
      ...this.state,
      rng: this.rng.getState(),
      counters: { ...this.state.counters },
      stock: Object.fromEntries(this.stock),
      restocking: [...this.restocking],
      frozen: [...this.frozen],
    };
  }

  /**
   * Generates every event due up to `untilMs` at an average of `ratePerSecond` events per second (scaled by
   * the activity curve), at most `maxEvents` of them (the clock then stops at the last one and the next call
   * continues). Follow-ups overdue after a pause are emitted first, at their own times. `seasonality` blends
   * the activity curve with a flat rate (1 = the full curve, 0 = flat).
   */
  advance(
    untilMs: number,
    ratePerSecond: number,
    maxEvents = Number.POSITIVE_INFINITY,
    seasonality = 1,
  ): DemoEvent[] {
    this.out = [];
    const s = this.state;
    if (this.registrationSpacingMs === 0) {
      this.registerInitialPopulation(maxEvents);
    }
    if (
      s.arrivalRate !== ratePerSecond ||
      s.arrivalSeasonality !== seasonality ||
      (s.nextArrivalMs === null && ratePerSecond > 0)
    ) {
      s.arrivalRate = ratePerSecond;
      s.arrivalSeasonality = seasonality;
      s.nextArrivalMs = ratePerSecond > 0 ? s.clockMs + this.arrivalGap(ratePerSecond, seasonality) : null;
    }
    const maxShape = 1 - seasonality + seasonality * MAX_ACTIVITY;
    while (this.out.length < maxEvents) {
      const due = this.queue.peek();
      const arrival = s.nextArrivalMs ?? Number.POSITIVE_INFINITY;
      const registration = this.nextSpreadRegistrationMs();
      if (registration <= Math.min(due?.atMs ?? Number.POSITIVE_INFINITY, arrival)) {
        if (registration > untilMs) {
          break;
        }
        s.clockMs = Math.max(s.clockMs, registration);
        this.registerCustomer(registration);
        continue;
      }
      if (due && due.atMs <= arrival) {
        if (due.atMs > untilMs) {
          break;
        }
        this.queue.pop();
        s.clockMs = Math.max(s.clockMs, due.atMs);
        this.run(due.action, due.atMs);
        continue;
      }
      if (arrival > untilMs) {
        break;
      }
      s.clockMs = Math.max(s.clockMs, arrival);
      s.nextArrivalMs = arrival + this.arrivalGap(ratePerSecond, seasonality);
      if (this.rng.next() * maxShape < 1 - seasonality + seasonality * activityAt(arrival)) {
        this.rootActivity(arrival);
      }
    }
    if (this.out.length < maxEvents) {
      s.clockMs = Math.max(s.clockMs, untilMs);
    }
    const events = this.out;
    this.out = [];
    return events;
  }

  /**
   * Moves the clock forward without generating the root activities in between: after a restart the shop
   * resumes "now" instead of replaying the downtime. Pending follow-ups keep their due times.
   */
  skipTo(ms: number): void {
    const s = this.state;
    if (ms <= s.clockMs) {
      return;
    }
    s.clockMs = ms;
    s.nextArrivalMs = s.arrivalRate > 0 ? ms + this.arrivalGap(s.arrivalRate, s.arrivalSeasonality) : null;
  }

  /** Schedules one incident of each fraud pattern, a few seconds apart from `atMs`, on the first victim. */
  injectFraud(atMs: number): void {
    const patterns: FraudPattern[] = ['card_testing', 'impossible_travel', 'amount_spike'];
    patterns.forEach((pattern, i) => {
      this.schedule(atMs + i * 3 * SECOND, {
        kind: 'fraud',
        pattern,
        victimN: FRAUD_VICTIMS[pattern][0],
        step: 0,
      });
    });
  }

  private arrivalGap(ratePerSecond: number, seasonality: number): number {
    const maxShape = 1 - seasonality + seasonality * MAX_ACTIVITY;
    const maxRootsPerMs = (ratePerSecond * maxShape) / EVENTS_PER_ROOT / SECOND;
    return Math.max(1, this.rng.exponential(1 / maxRootsPerMs));
  }

  private run(action: FollowUpAction, atMs: number): void {
    (this.handlers[action.kind] as (a: FollowUpAction, t: number) => void)(action, atMs);
  }

  private schedule(atMs: number, action: FollowUpAction): void {
    this.queue.push({ id: this.state.nextFollowUpId++, atMs: Math.round(atMs), action });
  }

  private emit(
    eventType: DemoEventType,
    tenantId: string,
    atMs: number,
    data: Record<string, unknown>,
  ): void {
    const seq = ++this.state.seq;
    const seed = this.state.seed;
    const ms = Math.max(Math.round(atMs), this.state.lastEventMs);
    this.state.lastEventMs = ms;
    this.out.push({
      seq,
      messageId: SeededRandom.derive(seed, `message:${seq}`).uuid(),
      eventId: SeededRandom.derive(seed, `event:${seq}`).uuid(),
      eventType,
      tenantId,
      occurredAt: new Date(ms).toISOString(),
      data,
    });
  }

  // ── root activities ───────────────────────────────────────────────────────────────────────────────────────

  /** When the next starting customer registers, with a registration span; +∞ without one or once all did. */
  private nextSpreadRegistrationMs(): number {
    const s = this.state;
    if (this.registrationSpacingMs === 0 || s.counters.customers >= this.initialCustomers) {
      return Number.POSITIVE_INFINITY;
    }
    return s.startMs + Math.round(s.counters.customers * this.registrationSpacingMs);
  }

  private registerInitialPopulation(maxEvents: number): void {
    const s = this.state;
    while (s.counters.customers < this.initialCustomers && this.out.length < maxEvents) {
      this.registerCustomer(s.startMs + s.counters.customers);
    }
  }

  private rootActivity(t: number): void {
    const rng = this.rng;
    if (rng.chance(FRAUD_INCIDENT_PROBABILITY)) {
      const pattern = rng.pick<FraudPattern>(['card_testing', 'impossible_travel', 'amount_spike']);
      this.fraudStep(pattern, rng.pick(FRAUD_VICTIMS[pattern]), 0, t);
      return;
    }
    const r = rng.next();
    if (r < 0.86) {
      this.impression(t);
    } else if (r < 0.92) {
      this.placeOrder(this.pickCustomer(), t);
    } else if (r < 0.95) {
      this.registerCustomer(t);
    } else if (r < 0.965) {
      this.updateCustomer(this.pickCustomer(), t);
    } else if (r < 0.985) {
      this.adjustStock(t);
    } else {
      this.transferStock(t);
    }
  }

  /**
   * Older customers are a little more active than new ones, but nobody dominates: at the default rate a normal
   * account stays well below the payment velocity that fraud scoring flags.
   */
  private pickCustomer(): CustomerProfile {
    const count = this.state.counters.customers;
    return this.customers.get(1 + Math.min(count - 1, Math.floor(count * Math.pow(this.rng.next(), 1.15))));
  }

  private habit(n: number, t: number): void {
    this.placeOrder(this.customers.get(n), t);
    this.schedule(t + this.rng.logNormal(18 * HOUR, 0.4), { kind: 'habit', customerN: n });
  }

  private pickCustomerOfTenant(tenantId: string, t: number): CustomerProfile {
    for (let i = 0; i < 32; i++) {
      const candidate = this.pickCustomer();
      if (candidate.tenant.id === tenantId) {
        return candidate;
      }
    }
    // A full initial population holds customers of every tenant; scan it rather than fail.
    for (let n = 1; n <= this.state.counters.customers; n++) {
      const candidate = this.customers.get(n);
      if (candidate.tenant.id === tenantId) {
        return candidate;
      }
    }
    // Early in a history whose starting customers register over a span, a shop may have none yet: the next
    // sign-ups come forward (every tenant has a positive weight, so one of them soon belongs to this shop).
    for (let i = 0; i < 1_000; i++) {
      const registered = this.registerCustomer(t);
      if (registered.tenant.id === tenantId) {
        return registered;
      }
    }
    throw new Error(`The demo shop has no customer of tenant '${tenantId}'`);
  }

  private registerCustomer(t: number): CustomerProfile {
    const n = ++this.state.counters.customers;
    const c = this.customers.get(n);
    this.emit('customer.registered', c.tenant.id, t, this.customerData(c));
    c.accounts.forEach((account, i) => this.openAccount(c, account, t + 1 + i));
    return c;
  }

  private customerData(c: CustomerProfile): Record<string, unknown> {
    return {
      customerId: c.customerId,
      country: c.country,
      segment: c.segment,
      signupChannel: c.signupChannel,
    };
  }

  private openAccount(c: CustomerProfile, account: AccountProfile, t: number): void {
    this.emit('account.opened', c.tenant.id, t, {
      accountId: account.accountId,
      customerId: c.customerId,
      accountType: account.accountType,
      currency: account.currency,
      ...(account.creditLimit === undefined ? {} : { creditLimit: account.creditLimit }),
    });
  }

  private updateCustomer(c: CustomerProfile, t: number): void {
    // Address or e-mail changes: the full profile is re-sent, as the contract asks.
    this.emit('customer.updated', c.tenant.id, t, this.customerData(c));
  }

  private impression(t: number): void {
    const rng = this.rng;
    const known = rng.chance(0.7) ? this.pickCustomer() : undefined;
    const tenant = known?.tenant ?? rng.weighted(TENANTS, (x) => x.weight);
    const campaign = rng.weighted(tenant.campaigns, (c) => c.weight);
    const impressionId = `imp-${++this.state.counters.impressions}`;
    this.emit('campaign.impression', tenant.id, t, {
      impressionId,
      campaignId: campaign.id,
      ...(known ? { customerId: known.customerId } : {}),
      channel: campaign.channel,
      placement: rng.pick(campaign.placements),
      cost: roundTo(campaign.costPerImpression * rng.logNormal(1, 0.25), 5),
    });
    if (rng.chance(campaign.ctr)) {
      this.schedule(t + 500 + rng.exponential(8 * SECOND), {
        kind: 'click',
        tenantId: tenant.id,
        impressionId,
        campaignId: campaign.id,
        ...(known ? { customerN: known.n } : {}),
      });
    }
  }

  private click(a: Extract<FollowUpAction, { kind: 'click' }>, t: number): void {
    const rng = this.rng;
    const campaign = tenantById(a.tenantId).campaigns.find((c) => c.id === a.campaignId);
    if (!campaign) {
      throw new Error(`Demo follow-up refers to unknown campaign '${a.campaignId}'`);
    }
    const clickId = `clk-${++this.state.counters.clicks}`;
    this.emit('campaign.click', a.tenantId, t, {
      clickId,
      impressionId: a.impressionId,
      campaignId: a.campaignId,
      ...(a.customerN === undefined ? {} : { customerId: this.customers.get(a.customerN).customerId }),
      channel: campaign.channel,
      cost: round2(campaign.costPerClick * rng.logNormal(1, 0.3)),
    });
    if (rng.chance(campaign.conversion)) {
      this.schedule(t + rng.logNormal(4 * MINUTE, 0.8), {
        kind: 'convert',
        tenantId: a.tenantId,
        campaignId: a.campaignId,
        clickId,
        ...(a.customerN === undefined ? {} : { customerN: a.customerN }),
      });
    }
  }

  private convert(a: Extract<FollowUpAction, { kind: 'convert' }>, t: number): void {
    let customer: CustomerProfile;
    if (a.customerN !== undefined) {
      customer = this.customers.get(a.customerN);
    } else {
      // An anonymous visitor signs up at checkout; if the new profile belongs to another shop, a returning
      // customer of this shop converts instead.
      const registered = this.registerCustomer(t);
      customer = registered.tenant.id === a.tenantId ? registered : this.pickCustomerOfTenant(a.tenantId, t);
      t += 10;
    }
    this.placeOrder(customer, t, { attribution: { campaignId: a.campaignId, clickId: a.clickId } });
  }

  // ── orders and payments ───────────────────────────────────────────────────────────────────────────────────

  private basket(c: CustomerProfile): OrderLineRef[] {
    const rng = this.rng;
    const count = 1 + Math.min(7, rng.poisson(0.7));
    const lines: OrderLineRef[] = [];
    for (let i = 0; i < count; i++) {
      const product = this.products[rng.zipf(PRODUCT_COUNT, 1.05)];
      if (lines.some((l) => l.sku === product.sku)) {
        continue;
      }
      const base = rng.chance(0.15) ? rng.int(2, 3) : 1;
      lines.push({
        sku: product.sku,
        quantity: Math.max(1, Math.round(base * c.basketScale)),
        unitPrice: this.priceIn(product, c.tenant),
      });
    }
    return lines;
  }

  private priceIn(product: Product, tenant: Tenant): number {
    return round2(product.unitPriceEur * tenant.eurRate);
  }

  private placeOrder(
    c: CustomerProfile,
    t: number,
    options: {
      attribution?: { campaignId: string; clickId: string };
      lines?: OrderLineRef[];
      account?: AccountProfile;
      override?: PaymentOverride;
      digital?: boolean;
    } = {},
  ): OrderRef {
    const rng = this.rng;
    const account = options.account ?? (rng.chance(0.75) ? c.accounts[0] : rng.pick(c.accounts));
    const lines = options.lines ?? this.basket(c);
    const order: OrderRef = {
      orderId: `o-${100000 + ++this.state.counters.orders}`,
      tenantId: c.tenant.id,
      customerN: c.n,
      accountId: account.accountId,
      currency: account.currency,
      totalAmount: round2(lines.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0)),
      shippingCountry: c.country,
      lines,
      ...(options.digital ? { digital: true } : {}),
    };
    this.emit('order.placed', c.tenant.id, t, {
      orderId: order.orderId,
      customerId: c.customerId,
      accountId: order.accountId,
      channel: rng.weighted(['web', 'app', 'store'] as const, (ch) =>
        ch === 'web' ? 55 : ch === 'app' ? 38 : 7,
      ),
      currency: order.currency,
      totalAmount: order.totalAmount,
      shippingCountry: order.shippingCountry,
      lines: lines.map((l) => {
        const product = this.productBySku(l.sku);
        return {
          sku: l.sku,
          productName: product.productName,
          category: product.category,
          quantity: l.quantity,
          unitPrice: l.unitPrice,
        };
      }),
      ...(options.attribution ? { attribution: options.attribution } : {}),
    });
    this.schedule(t + 800 + rng.exponential(3 * SECOND), {
      kind: 'pay',
      order,
      attempt: 1,
      ...(options.override ? { override: options.override } : {}),
    });
    return order;
  }

  private productBySku(sku: string): Product {
    if (sku === GIFT_CARD.sku) {
      return GIFT_CARD;
    }
    const index = Number(sku.slice(4)) - 1000;
    const product = this.products[index];
    if (!product || product.sku !== sku) {
      throw new Error(`Demo order refers to unknown SKU '${sku}'`);
    }
    return product;
  }

  private accountOf(c: CustomerProfile, accountId: string): AccountProfile {
    const account = c.accounts.find((a) => a.accountId === accountId);
    if (!account) {
      throw new Error(`Demo customer ${c.customerId} has no account '${accountId}'`);
    }
    return account;
  }

  private paymentFacts(
    c: CustomerProfile,
    account: AccountProfile,
    override?: PaymentOverride,
  ): Record<string, unknown> {
    return {
      method:
        account.accountType === 'card'
          ? 'card'
          : account.accountType === 'wallet'
            ? 'wallet'
            : 'bank_transfer',
      ...(account.card ? { card: { ...account.card } } : {}),
      deviceId: override?.deviceId ?? c.deviceId,
      ipAddress: override?.ipAddress ?? c.ipAddress,
      ipCountry: override?.ipCountry ?? c.country,
    };
  }

  private pay(a: Extract<FollowUpAction, { kind: 'pay' }>, t: number): void {
    const rng = this.rng;
    const { order, override } = a;
    const c = this.customers.get(order.customerN);
    const account = this.accountOf(c, order.accountId);
    const paymentId = `p-${500000 + ++this.state.counters.payments}`;
    let declineReason: string | undefined;
    if (override?.outcome) {
      declineReason =
        override.outcome === 'declined' ? (override.declineReason ?? 'do_not_honor') : undefined;
    } else if (this.frozen.has(account.accountId)) {
      declineReason = 'do_not_honor';
    } else if (
      account.creditLimit !== undefined &&
      order.totalAmount > account.creditLimit &&
      rng.chance(0.85)
    ) {
      declineReason = 'insufficient_funds';
    } else if (rng.chance(0.03)) {
      declineReason = rng.weighted(
        ['insufficient_funds', 'do_not_honor', 'expired_card', 'suspected_fraud'],
        (r) => (r === 'insufficient_funds' ? 45 : r === 'do_not_honor' ? 30 : r === 'expired_card' ? 15 : 10),
      );
    }
    this.emit(declineReason ? 'payment.declined' : 'payment.authorized', order.tenantId, t, {
      paymentId,
      orderId: order.orderId,
      accountId: account.accountId,
      customerId: c.customerId,
      amount: order.totalAmount,
      currency: order.currency,
      ...this.paymentFacts(c, account, override),
      ...(declineReason ? { declineReason } : {}),
    });
    if (declineReason) {
      const other = c.accounts.find((x) => x.accountId !== account.accountId);
      if (!override && a.attempt === 1 && other && rng.chance(0.55)) {
        this.schedule(t + rng.uniform(20 * SECOND, 3 * MINUTE), {
          kind: 'pay',
          order: { ...order, accountId: other.accountId },
          attempt: 2,
        });
      } else {
        const delay = override ? rng.uniform(300, 1500) : rng.uniform(30 * SECOND, 5 * MINUTE);
        this.schedule(t + delay, { kind: 'cancel', order, reason: 'payment_declined' });
      }
      return;
    }
    if (order.digital) {
      return;
    }
    if (!override && rng.chance(0.015)) {
      this.schedule(t + rng.logNormal(10 * MINUTE, 0.7), {
        kind: 'cancel',
        order,
        reason: 'customer_request',
      });
      return;
    }
    this.schedule(t + rng.logNormal(40 * MINUTE, 0.6), { kind: 'fulfil', order, paymentId });
  }

  private cancel(
    order: OrderRef,
    reason: 'customer_request' | 'payment_declined' | 'out_of_stock',
    t: number,
  ): void {
    this.emit('order.cancelled', order.tenantId, t, {
      orderId: order.orderId,
      customerId: this.customers.get(order.customerN).customerId,
      accountId: order.accountId,
      currency: order.currency,
      totalAmount: order.totalAmount,
      reason,
    });
  }

  // ── fulfilment, stock and shipping ────────────────────────────────────────────────────────────────────────

  private stockKey(warehouse: string, sku: string): string {
    return `${warehouse}|${sku}`;
  }

  private onHand(warehouse: string, sku: string): number {
    const key = this.stockKey(warehouse, sku);
    let value = this.stock.get(key);
    if (value === undefined) {
      // Opening stock before the history starts, independent of the order in which SKUs are first touched.
      value = SeededRandom.derive(this.state.seed, `stock:${key}`).int(60, 400);
      this.stock.set(key, value);
    }
    return value;
  }

  private move(
    tenantId: string,
    warehouse: string,
    sku: string,
    movementType: 'receipt' | 'sale' | 'return' | 'adjustment' | 'transfer_in' | 'transfer_out',
    quantity: number,
    t: number,
    orderId?: string,
  ): void {
    const onHandAfter = this.onHand(warehouse, sku) + quantity;
    this.stock.set(this.stockKey(warehouse, sku), onHandAfter);
    this.emit('inventory.moved', tenantId, t, {
      movementId: `m-${800000 + ++this.state.counters.movements}`,
      sku,
      warehouse,
      movementType,
      quantity,
      onHandAfter,
      ...(orderId ? { orderId } : {}),
    });
    const key = this.stockKey(warehouse, sku);
    if (onHandAfter < REORDER_POINT && !this.restocking.has(key)) {
      this.restocking.add(key);
      this.schedule(t + this.rng.logNormal(6 * HOUR, 0.5), {
        kind: 'restock',
        tenantId,
        warehouse,
        sku,
        quantity: 50 * this.rng.int(3, 12),
      });
    }
  }

  private warehouseFor(order: OrderRef): Warehouse | undefined {
    const tenant = tenantById(order.tenantId);
    const serving = tenant.warehouses.filter((w) => w.serves.includes(order.shippingCountry));
    const candidates = serving.length > 0 ? serving : tenant.warehouses;
    const first = this.rng.pick(candidates);
    const ordered = [first, ...candidates.filter((w) => w !== first)];
    return ordered.find((w) => order.lines.every((l) => this.onHand(w.id, l.sku) >= l.quantity));
  }

  private fulfil(a: Extract<FollowUpAction, { kind: 'fulfil' }>, t: number): void {
    const rng = this.rng;
    const { order } = a;
    const warehouse = this.warehouseFor(order);
    if (!warehouse) {
      this.cancel(order, 'out_of_stock', t);
      this.refundPayment(order, a.paymentId, order.totalAmount, t + 1 + rng.uniform(MINUTE, 30 * MINUTE));
      return;
    }
    order.lines.forEach((l, i) =>
      this.move(order.tenantId, warehouse.id, l.sku, 'sale', -l.quantity, t + i, order.orderId),
    );
    const tenant = tenantById(order.tenantId);
    const carrier = rng.pick(tenant.carriers);
    const dispatchedMs = t + order.lines.length + rng.uniform(2 * MINUTE, 20 * MINUTE);
    const promisedDays = Math.ceil((carrier.medianTransitHours * 1.3) / 24);
    const promisedMs = Math.floor(dispatchedMs / DAY) * DAY + promisedDays * DAY + 18 * HOUR;
    const shipment = {
      shipmentId: `s-${200000 + ++this.state.counters.shipments}`,
      warehouse: warehouse.id,
      carrier: carrier.id,
      promisedAt: new Date(promisedMs).toISOString(),
      dispatchedAt: new Date(Math.round(dispatchedMs)).toISOString(),
    };
    this.schedule(dispatchedMs, { kind: 'dispatch', order, paymentId: a.paymentId, shipment });
  }

  private dispatch(a: Extract<FollowUpAction, { kind: 'dispatch' }>, t: number): void {
    const { order, shipment } = a;
    this.emit('shipment.dispatched', order.tenantId, t, shipmentData(order, shipment));
    const carrier = tenantById(order.tenantId).carriers.find((c) => c.id === shipment.carrier);
    const transitMs = this.rng.logNormal((carrier?.medianTransitHours ?? 30) * HOUR, 0.35);
    this.schedule(t + transitMs, { ...a, kind: 'deliver' });
  }

  private deliver(a: Extract<FollowUpAction, { kind: 'deliver' }>, t: number): void {
    const { order, shipment } = a;
    this.emit('shipment.delivered', order.tenantId, t, {
      ...shipmentData(order, shipment),
      deliveredAt: new Date(Math.round(t)).toISOString(),
    });
    if (this.rng.chance(0.04)) {
      this.schedule(t + this.rng.logNormal(2 * DAY, 0.6), {
        kind: 'refund',
        order,
        paymentId: a.paymentId,
        warehouse: shipment.warehouse,
      });
    }
  }

  private refund(a: Extract<FollowUpAction, { kind: 'refund' }>, t: number): void {
    const { order } = a;
    // Most returns are one item of the order; sometimes the whole parcel goes back.
    const whole = order.lines.length === 1 || this.rng.chance(0.3);
    const returned = whole ? order.lines : [this.rng.pick(order.lines)];
    const amount = round2(returned.reduce((sum, l) => sum + l.quantity * l.unitPrice, 0));
    this.refundPayment(order, a.paymentId, amount, t);
    returned.forEach((l, i) =>
      this.move(order.tenantId, a.warehouse, l.sku, 'return', l.quantity, t + 1 + i, order.orderId),
    );
  }

  private refundPayment(order: OrderRef, paymentId: string, amount: number, t: number): void {
    const c = this.customers.get(order.customerN);
    const account = this.accountOf(c, order.accountId);
    this.emit('payment.refunded', order.tenantId, t, {
      paymentId: `p-${500000 + ++this.state.counters.payments}`,
      orderId: order.orderId,
      accountId: account.accountId,
      customerId: c.customerId,
      amount,
      currency: order.currency,
      ...this.paymentFacts(c, account),
      refundOfPaymentId: paymentId,
    });
  }

  private restock(a: Extract<FollowUpAction, { kind: 'restock' }>, t: number): void {
    this.restocking.delete(this.stockKey(a.warehouse, a.sku));
    this.move(a.tenantId, a.warehouse, a.sku, 'receipt', a.quantity, t);
  }

  private adjustStock(t: number): void {
    const rng = this.rng;
    const tenant = rng.weighted(TENANTS, (x) => x.weight);
    const warehouse = rng.pick(tenant.warehouses);
    const sku = this.products[rng.zipf(PRODUCT_COUNT, 1.05)].sku;
    // Stock counts mostly find shrinkage (damage, theft), occasionally a miscounted surplus.
    const quantity = rng.chance(0.8) ? -rng.int(1, 3) : rng.int(1, 2);
    if (this.onHand(warehouse.id, sku) + quantity >= 0) {
      this.move(tenant.id, warehouse.id, sku, 'adjustment', quantity, t);
    }
  }

  private transferStock(t: number): void {
    const rng = this.rng;
    const tenant = rng.weighted(TENANTS, (x) => x.weight);
    if (tenant.warehouses.length < 2) {
      return;
    }
    const from = rng.pick(tenant.warehouses);
    const to = rng.pick(tenant.warehouses.filter((w) => w !== from));
    const sku = this.products[rng.zipf(PRODUCT_COUNT, 1.05)].sku;
    const available = this.onHand(from.id, sku);
    if (available < 60) {
      return;
    }
    const quantity = 5 * rng.int(2, 8);
    this.move(tenant.id, from.id, sku, 'transfer_out', -quantity, t);
    this.move(tenant.id, to.id, sku, 'transfer_in', quantity, t + 1);
  }

  // ── accounts and fraud ────────────────────────────────────────────────────────────────────────────────────

  private accountStatus(a: Extract<FollowUpAction, { kind: 'account-status' }>, t: number): void {
    const c = this.customers.get(a.customerN);
    const account = this.accountOf(c, a.accountId);
    if (a.status === 'active') {
      this.frozen.delete(account.accountId);
    } else {
      this.frozen.add(account.accountId);
    }
    this.emit('account.status_changed', c.tenant.id, t, {
      accountId: account.accountId,
      customerId: c.customerId,
      accountType: account.accountType,
      currency: account.currency,
      status: a.status,
      reason: a.reason,
    });
  }

  private fraudStep(pattern: FraudPattern, victimN: number, step: number, t: number): void {
    const rng = this.rng;
    const victim = this.customers.get(victimN);
    const card = victim.accounts[0];
    switch (pattern) {
      case 'card_testing': {
        // Small gift-card purchases in quick succession from the ring's device abroad; most are declined.
        const ipCountry = FRAUD_IP_COUNTRIES[victimN % FRAUD_IP_COUNTRIES.length];
        const amount = round2(rng.uniform(0.5, 4.99));
        this.placeOrder(victim, t, {
          account: card,
          digital: true,
          lines: [{ sku: GIFT_CARD.sku, quantity: 1, unitPrice: amount }],
          override: {
            pattern,
            ipCountry,
            ipAddress: ipAddressIn(ipCountry, SeededRandom.derive(this.state.seed, `fraud-ip:${victimN}`)),
            deviceId: FRAUD_RING_DEVICE,
            ...(rng.chance(0.8)
              ? {
                  outcome: 'declined' as const,
                  declineReason: rng.pick([
                    'insufficient_funds',
                    'do_not_honor',
                    'expired_card',
                    'suspected_fraud',
                  ]),
                }
              : { outcome: 'authorized' as const }),
          },
        });
        if (step + 1 < CARD_TEST_ATTEMPTS) {
          this.schedule(t + rng.uniform(2 * SECOND, 8 * SECOND), {
            kind: 'fraud',
            pattern,
            victimN,
            step: step + 1,
          });
        } else {
          this.schedule(t + 45 * SECOND, {
            kind: 'account-status',
            customerN: victimN,
            accountId: card.accountId,
            status: 'frozen',
            reason: 'fraud_suspected',
          });
          this.schedule(t + rng.logNormal(4 * HOUR, 0.4), {
            kind: 'account-status',
            customerN: victimN,
            accountId: card.accountId,
            status: 'active',
            reason: 'review_cleared',
          });
        }
        return;
      }
      case 'impossible_travel': {
        if (step === 0) {
          // A genuine purchase at home, then the same card minutes later from the other side of the world.
          this.placeOrder(victim, t, {
            account: card,
            override: {
              pattern,
              ipCountry: victim.country,
              ipAddress: victim.ipAddress,
              deviceId: victim.deviceId,
              outcome: 'authorized',
            },
          });
          this.schedule(t + rng.uniform(3 * MINUTE, 12 * MINUTE), {
            kind: 'fraud',
            pattern,
            victimN,
            step: 1,
          });
          return;
        }
        if (step < IMPOSSIBLE_TRAVEL_FOREIGN_ORDERS) {
          this.schedule(t + rng.uniform(1 * MINUTE, 4 * MINUTE), {
            kind: 'fraud',
            pattern,
            victimN,
            step: step + 1,
          });
        }
        const home = country(victim.country);
        const far = FRAUD_IP_COUNTRIES.map((code) => country(code)).sort(
          (x, y) => distanceKm(home, y) - distanceKm(home, x),
        )[victimN % 2];
        const electronics = this.products.filter((p) => p.category === 'electronics');
        const product = electronics[rng.int(0, Math.min(5, electronics.length - 1))];
        this.placeOrder(victim, t, {
          account: card,
          lines: [
            { sku: product.sku, quantity: rng.int(1, 2), unitPrice: this.priceIn(product, victim.tenant) },
          ],
          override: {
            pattern,
            ipCountry: far.code,
            ipAddress: ipAddressIn(far.code, rng),
            deviceId: deviceIdFrom(SeededRandom.derive(this.state.seed, `fraud-device:${victimN}`)),
            outcome: 'authorized',
          },
        });
        return;
      }
      case 'amount_spike': {
        // Baskets worth 30-100 typical ones, a few minutes apart: the priciest electronics in bulk.
        if (step + 1 < AMOUNT_SPIKE_ORDERS) {
          this.schedule(t + rng.uniform(2 * MINUTE, 6 * MINUTE), {
            kind: 'fraud',
            pattern,
            victimN,
            step: step + 1,
          });
        }
        const priciest = [...this.products]
          .filter((p) => p.category === 'electronics')
          .sort((x, y) => y.unitPriceEur - x.unitPriceEur)[0];
        const unitPrice = this.priceIn(priciest, victim.tenant);
        const target = rng.uniform(2500, 6000);
        this.placeOrder(victim, t, {
          account: card,
          lines: [{ sku: priciest.sku, quantity: Math.max(3, Math.round(target / unitPrice)), unitPrice }],
          override: {
            pattern,
            ipCountry: victim.country,
            ipAddress: victim.ipAddress,
            deviceId: victim.deviceId,
            outcome: 'authorized',
          },
        });
        return;
      }
    }
  }
}

/** Card testers buy the cheapest thing that proves a card works. */
const GIFT_CARD: Product = {
  sku: 'SKU-0999',
  productName: 'Digital gift card',
  category: 'gift_cards',
  unitPriceEur: 5,
};

function shipmentData(order: OrderRef, s: ShipmentRef): Record<string, unknown> {
  return {
    shipmentId: s.shipmentId,
    orderId: order.orderId,
    warehouse: s.warehouse,
    carrier: s.carrier,
    promisedAt: s.promisedAt,
    dispatchedAt: s.dispatchedAt,
  };
}

function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
