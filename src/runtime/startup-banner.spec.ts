import { describe, expect, it } from 'vitest';
import type { CatalogFunction } from '../modules/catalog/catalog.types.js';
import { renderBanner, type BannerFacts } from './startup-banner.js';

const orderThroughput = {
  name: 'OrderThroughput',
  parameters: [
    { name: 'lookback', type: 'timespan', required: false },
    { name: 'binSize', type: 'timespan', required: false },
  ],
  outputColumns: [{ name: 'Period' }, { name: 'Placed' }],
} as unknown as CatalogFunction;

const facts: BannerFacts = {
  url: 'http://127.0.0.1:3000',
  kustoUrl: 'http://127.0.0.1:8082',
  kustoEmbedded: true,
  database: 'analytics',
  serviceBus: 'sb://127.0.0.1:5672',
  serviceBusEmbedded: true,
  topic: 'oltp-events',
  subscription: 'analytics',
  demoRate: 0,
  dataDir: '/data',
  functions: [orderThroughput],
};

describe('renderBanner', () => {
  it('should print the live stream URL of the example call, with its parameters', () => {
    const lines = renderBanner(facts).split('\n');
    expect(lines.filter((line) => line.includes('/stream'))).toEqual([
      '  curl -N -H "authorization: Bearer <token>" \'http://127.0.0.1:3000/api/v1/functions/OrderThroughput/stream?lookback=7d&binSize=1h\'   (live: a new result after each change)',
    ]);
  });

  it('should print a GraphQL subscription of the example function, with where and how to send it', () => {
    const lines = renderBanner({
      ...facts,
      devToken: { token: 't', tenant: 'contoso', roles: ['analyst'], ttlHours: 12 },
    }).split('\n');
    expect(lines.filter((line) => line.includes('subscription {'))).toEqual([
      '  subscription { OrderThroughput(lookback: "7d", binSize: "1h") { Period Placed } }   (live over graphql-ws at ws://127.0.0.1:3000/graphql; connection_init {"Authorization": "Bearer $TOKEN"})',
    ]);
  });
});
