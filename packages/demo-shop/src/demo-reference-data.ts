/**
 * The fixed world the simulated shops live in: tenants with their markets, warehouses and carriers, countries
 * (with coordinates, so "impossible travel" can be measured in kilometres), campaigns and a product catalogue
 * derived from the seed. Names follow the examples of docs/events.md.
 */
import { SeededRandom } from './seeded-random.js';

export interface Country {
  readonly code: string;
  readonly lat: number;
  readonly lon: number;
}

export const COUNTRIES: Readonly<Record<string, Country>> = Object.fromEntries(
  (
    [
      ['DE', 51.2, 10.4],
      ['FR', 46.6, 2.2],
      ['NL', 52.1, 5.3],
      ['ES', 40.4, -3.7],
      ['IT', 41.9, 12.6],
      ['AT', 47.5, 14.6],
      ['BE', 50.5, 4.5],
      ['PL', 51.9, 19.1],
      ['US', 39.8, -98.6],
      ['CA', 56.1, -106.3],
      ['GB', 54.0, -2.0],
      // Seen only in fraudulent sessions: far from every customer base above.
      ['NG', 9.1, 8.7],
      ['ID', -0.8, 113.9],
      ['VN', 14.1, 108.3],
      ['BR', -14.2, -51.9],
    ] as const
  ).map(([code, lat, lon]) => [code, { code, lat, lon }]),
);

export const FRAUD_IP_COUNTRIES = ['NG', 'ID', 'VN', 'BR'] as const;

export function country(code: string): Country {
  const found = COUNTRIES[code];
  if (!found) {
    throw new Error(`Unknown demo country code '${code}'`);
  }
  return found;
}

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(a: Country, b: Country): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

export interface Warehouse {
  readonly id: string;
  /** Countries this warehouse ships to. */
  readonly serves: readonly string[];
}

export interface Carrier {
  readonly id: string;
  /** Median door-to-door transit time. */
  readonly medianTransitHours: number;
}

export type CampaignChannel = 'search' | 'social' | 'display' | 'email';

export interface Campaign {
  readonly id: string;
  readonly channel: CampaignChannel;
  readonly placements: readonly string[];
  /** Media cost of one impression and of one click, in the tenant's currency. */
  readonly costPerImpression: number;
  readonly costPerClick: number;
  /** Click-through rate of an impression. */
  readonly ctr: number;
  /** Conversion rate of a click into an order. */
  readonly conversion: number;
  /** Share of the tenant's impressions served for this campaign. */
  readonly weight: number;
}

export interface Tenant {
  readonly id: string;
  readonly currency: string;
  /** Share of all traffic. */
  readonly weight: number;
  /** Customer home countries and their weights. */
  readonly markets: readonly (readonly [code: string, weight: number])[];
  readonly warehouses: readonly Warehouse[];
  readonly carriers: readonly Carrier[];
  readonly campaigns: readonly Campaign[];
  /** Converts the catalogue's EUR prices into this tenant's currency. */
  readonly eurRate: number;
}

export const TENANTS: readonly Tenant[] = [
  {
    id: 'contoso',
    currency: 'EUR',
    weight: 65,
    eurRate: 1,
    markets: [
      ['DE', 32],
      ['FR', 18],
      ['NL', 10],
      ['ES', 12],
      ['IT', 12],
      ['AT', 5],
      ['BE', 5],
      ['PL', 6],
    ],
    warehouses: [
      { id: 'WH-BER', serves: ['DE', 'AT', 'PL'] },
      { id: 'WH-AMS', serves: ['NL', 'BE', 'FR', 'DE'] },
      { id: 'WH-MAD', serves: ['ES', 'FR', 'IT'] },
    ],
    carriers: [
      { id: 'DHL', medianTransitHours: 30 },
      { id: 'DPD', medianTransitHours: 38 },
      { id: 'UPS', medianTransitHours: 26 },
    ],
    campaigns: [
      campaign('cmp-black-friday', 'search', ['search_top', 'search_side'], 0.004, 0.45, 0.07, 0.1, 30),
      campaign('cmp-winter-social', 'social', ['feed', 'stories'], 0.002, 0.25, 0.02, 0.035, 35),
      campaign('cmp-retarget-display', 'display', ['homepage_banner', 'sidebar'], 0.001, 0.3, 0.01, 0.08, 25),
      campaign('cmp-newsletter-eu', 'email', ['newsletter_hero'], 0.0005, 0.05, 0.05, 0.06, 10),
    ],
  },
  {
    id: 'fabrikam',
    currency: 'USD',
    weight: 35,
    eurRate: 1.08,
    markets: [
      ['US', 70],
      ['CA', 12],
      ['GB', 18],
    ],
    warehouses: [
      { id: 'WH-NJ', serves: ['US', 'CA', 'GB'] },
      { id: 'WH-NV', serves: ['US', 'CA'] },
    ],
    carriers: [
      { id: 'UPS', medianTransitHours: 28 },
      { id: 'FEDEX', medianTransitHours: 24 },
      { id: 'USPS', medianTransitHours: 52 },
    ],
    campaigns: [
      campaign('cmp-cyber-monday', 'search', ['search_top'], 0.005, 0.6, 0.065, 0.09, 40),
      campaign('cmp-holiday-video', 'social', ['feed', 'reels'], 0.003, 0.35, 0.018, 0.03, 35),
      campaign('cmp-vip-email', 'email', ['newsletter_hero'], 0.0005, 0.04, 0.06, 0.12, 25),
    ],
  },
];

function campaign(
  id: string,
  channel: CampaignChannel,
  placements: readonly string[],
  costPerImpression: number,
  costPerClick: number,
  ctr: number,
  conversion: number,
  weight: number,
): Campaign {
  return { id, channel, placements, costPerImpression, costPerClick, ctr, conversion, weight };
}

export function tenantById(id: string): Tenant {
  const found = TENANTS.find((t) => t.id === id);
  if (!found) {
    throw new Error(`Unknown demo tenant '${id}'`);
  }
  return found;
}

export interface Product {
  readonly sku: string;
  readonly productName: string;
  readonly category: string;
  /** Unit price in EUR; log-normal across the catalogue, so a few items are very expensive. */
  readonly unitPriceEur: number;
}

const CATEGORY_NAMES: Record<string, readonly string[]> = {
  electronics: [
    'USB-C charger 65W',
    'Wireless earbuds',
    'Smartwatch',
    '4K monitor',
    'Mechanical keyboard',
    'Laptop',
  ],
  apparel: ['Cotton hoodie', 'Rain jacket', 'Running shoes', 'Wool socks', 'Denim jeans', 'Linen shirt'],
  home: ['Cast iron pan', 'Desk lamp', 'Bath towel set', 'Coffee grinder', 'Duvet cover', 'Plant pot'],
  beauty: ['Face serum', 'Shampoo bar', 'Sunscreen SPF50', 'Hand cream', 'Beard oil'],
  sports: ['Yoga mat', 'Dumbbell set', 'Cycling helmet', 'Tennis racket', 'Water bottle'],
  toys: ['Building blocks', 'Puzzle 1000', 'Plush bear', 'Board game', 'RC car'],
  books: ['Cookbook', 'Thriller paperback', 'Travel guide', 'Kids picture book', 'Sci-fi novel'],
  grocery: ['Espresso beans 1kg', 'Olive oil 1l', 'Green tea', 'Dark chocolate', 'Granola'],
};

const CATEGORY_MEDIAN_PRICE: Record<string, number> = {
  electronics: 89,
  apparel: 39,
  home: 34,
  beauty: 18,
  sports: 42,
  toys: 24,
  books: 14,
  grocery: 9,
};

/** Category popularity: how often a basket line comes from it. */
const CATEGORY_WEIGHT: Record<string, number> = {
  electronics: 14,
  apparel: 22,
  home: 16,
  beauty: 10,
  sports: 9,
  toys: 8,
  books: 9,
  grocery: 12,
};

export const PRODUCT_COUNT = 240;

/** The product catalogue: a pure function of the seed, so it is never stored. Popular SKUs come first. */
export function buildProducts(seed: number): Product[] {
  const rng = SeededRandom.derive(seed, 'products');
  const categories = Object.keys(CATEGORY_NAMES);
  const products: Product[] = [];
  for (let i = 0; i < PRODUCT_COUNT; i++) {
    const category = rng.weighted(categories, (c) => CATEGORY_WEIGHT[c]);
    const baseName = rng.pick(CATEGORY_NAMES[category]);
    const unitPriceEur = Math.max(1.5, rng.logNormal(CATEGORY_MEDIAN_PRICE[category], 0.6));
    products.push({
      sku: `SKU-${1000 + i}`,
      productName: `${baseName} ${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26) + 1}`,
      category,
      unitPriceEur:
        Math.round(unitPriceEur) - 0.01 > 1 ? Math.round(unitPriceEur) - 0.01 : round2(unitPriceEur),
    });
  }
  return products;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
