/**
 * Customers and their payment accounts are a pure function of (seed, customer number): the simulator only
 * counts how many exist, and anything that needs a customer's country, accounts, device or card derives it
 * again. That keeps the checkpointed state small however many customers the shop has.
 */
import { COUNTRIES, TENANTS, round2, type Tenant } from './demo-reference-data.js';
import { SeededRandom } from './seeded-random.js';

export type Segment = 'consumer' | 'smb' | 'enterprise';
export type AccountType = 'card' | 'wallet' | 'bnpl';

export interface CardFacts {
  readonly bin: string;
  readonly last4: string;
  readonly country: string;
}

export interface AccountProfile {
  readonly accountId: string;
  readonly accountType: AccountType;
  readonly currency: string;
  readonly creditLimit?: number;
  readonly card?: CardFacts;
}

export interface CustomerProfile {
  readonly n: number;
  readonly customerId: string;
  readonly tenant: Tenant;
  readonly country: string;
  readonly segment: Segment;
  readonly signupChannel: 'web' | 'app' | 'store' | 'partner';
  readonly accounts: readonly AccountProfile[];
  readonly deviceId: string;
  readonly ipAddress: string;
  /** Multiplies basket sizes: business customers buy in bulk. */
  readonly basketScale: number;
}

export type FraudPattern = 'card_testing' | 'impossible_travel' | 'amount_spike';

/**
 * The accounts the injected fraud happens on, by customer number. They are in the initial population, so they
 * exist from the first second, and they are popular (low numbers), so they also have a normal history to
 * stand out from.
 */
export const FRAUD_VICTIMS: Readonly<Record<FraudPattern, readonly number[]>> = {
  card_testing: [7, 19],
  impossible_travel: [11, 23],
  amount_spike: [13, 29],
};

export function fraudPatternOf(n: number): FraudPattern | undefined {
  for (const [pattern, victims] of Object.entries(FRAUD_VICTIMS) as [FraudPattern, readonly number[]][]) {
    if (victims.includes(n)) {
      return pattern;
    }
  }
  return undefined;
}

export function customerIdOf(n: number): string {
  return `c-${String(n).padStart(4, '0')}`;
}

/** First octet per country, so geo-IP lookups in the analytics look plausible. */
const IP_PREFIX: Record<string, number> = {
  DE: 85,
  FR: 90,
  NL: 145,
  ES: 88,
  IT: 93,
  AT: 91,
  BE: 81,
  PL: 83,
  US: 73,
  CA: 24,
  GB: 86,
  NG: 105,
  ID: 114,
  VN: 113,
  BR: 177,
};

export function ipAddressIn(countryCode: string, rng: SeededRandom): string {
  const first = IP_PREFIX[countryCode] ?? 198;
  return `${first}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
}

export function deviceIdFrom(rng: SeededRandom): string {
  return `d-${rng.int(0, 0xffffff).toString(16).padStart(6, '0')}`;
}

const CARD_BINS = ['424242', '411111', '453201', '510510', '555555', '522123', '371449'] as const;

export function buildCustomerProfile(seed: number, n: number): CustomerProfile {
  const rng = SeededRandom.derive(seed, `customer:${n}`);
  const tenant = rng.weighted(TENANTS, (t) => t.weight);
  const countryCode = rng.weighted(tenant.markets, ([, w]) => w)[0];
  if (!COUNTRIES[countryCode]) {
    throw new Error(`Demo tenant '${tenant.id}' lists unknown market '${countryCode}'`);
  }
  const victimPattern = fraudPatternOf(n);
  const segment: Segment = victimPattern
    ? 'consumer'
    : rng.weighted<Segment>(['consumer', 'smb', 'enterprise'], (s) =>
        s === 'consumer' ? 86 : s === 'smb' ? 11 : 3,
      );
  const signupChannel = rng.weighted(['web', 'app', 'store', 'partner'] as const, (c) =>
    c === 'web' ? 50 : c === 'app' ? 35 : c === 'store' ? 10 : 5,
  );
  const customerId = customerIdOf(n);
  const accountCount = rng.weighted([1, 2, 3], (k) => (k === 1 ? 60 : k === 2 ? 32 : 8));
  const accounts: AccountProfile[] = [];
  for (let k = 1; k <= accountCount; k++) {
    // Victims are attacked through a card: card testing and travel anomalies are card-fraud patterns.
    const accountType: AccountType =
      k === 1 && victimPattern
        ? 'card'
        : rng.weighted<AccountType>(['card', 'wallet', 'bnpl'], (t) =>
            t === 'card' ? 70 : t === 'wallet' ? 22 : 8,
          );
    const account: AccountProfile = {
      accountId: `a-${String(n).padStart(4, '0')}-${k}`,
      accountType,
      currency: tenant.currency,
      ...(accountType === 'wallet'
        ? {}
        : {
            creditLimit: round2(
              Math.round(rng.logNormal(accountType === 'card' ? 2500 : 800, 0.5) / 50) * 50,
            ),
          }),
      ...(accountType === 'card'
        ? {
            card: {
              bin: rng.pick(CARD_BINS),
              last4: String(rng.int(0, 9999)).padStart(4, '0'),
              country: countryCode,
            },
          }
        : {}),
    };
    accounts.push(account);
  }
  return {
    n,
    customerId,
    tenant,
    country: countryCode,
    segment,
    signupChannel,
    accounts,
    deviceId: deviceIdFrom(rng),
    ipAddress: ipAddressIn(countryCode, rng),
    basketScale: segment === 'enterprise' ? rng.pareto(4, 1.6) : segment === 'smb' ? rng.pareto(1.8, 2) : 1,
  };
}

/** A small cache: the popular customers are derived again and again. */
export class CustomerDirectory {
  private readonly cache = new Map<number, CustomerProfile>();

  constructor(
    private readonly seed: number,
    private readonly capacity = 5000,
  ) {}

  get(n: number): CustomerProfile {
    const hit = this.cache.get(n);
    if (hit) {
      return hit;
    }
    const profile = buildCustomerProfile(this.seed, n);
    if (this.cache.size >= this.capacity) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) {
        this.cache.delete(oldest.value);
      }
    }
    this.cache.set(n, profile);
    return profile;
  }
}
