import { describe, expect, it } from 'vitest';
import type { ExplorerFunction } from '../api/explorer-function.js';
import { copySnippets } from './copy-snippets.js';

const fn: ExplorerFunction = {
  name: 'TopProducts',
  folder: 'sales',
  summary: 'Products ranked by revenue',
  description: '',
  parameters: [
    { name: 'lookback', type: 'timespan', required: false, description: '' },
    { name: 'maxProducts', type: 'long', required: false, description: '' },
    { name: 'category', type: 'string', required: false, description: '' },
  ],
  columns: [
    { name: 'Sku', type: 'string' },
    { name: 'Revenue', type: 'real' },
  ],
  roles: ['analyst'],
  anonymous: false,
  cost: 2,
  cacheTtlSeconds: 60,
  maxRows: 500,
  boundParameters: { tenantId: 'tid' },
};

describe('copySnippets', () => {
  it('should give curl, GraphQL and the typed client call for the filled fields, naming no credential', () => {
    const snippets = copySnippets(
      fn,
      { lookback: '7d', maxProducts: '5', category: "kid's" },
      'http://gw:3000',
      false,
    );
    expect(snippets.curl).toBe(
      `curl -H "Authorization: Bearer $KQLGATE_TOKEN" 'http://gw:3000/api/v1/functions/TopProducts?lookback=7d&maxProducts=5&category=kid%27s'`,
    );
    expect(snippets.graphql).toBe(
      'query {\n  TopProducts(lookback: "7d", maxProducts: 5, category: "kid\'s") {\n    Sku Revenue\n  }\n}',
    );
    expect(snippets.typescript).toBe(
      [
        "const client = new KqlgateClient({ baseUrl: 'http://gw:3000', token: process.env.KQLGATE_TOKEN });",
        'const { data, meta } = await client.topProducts({ lookback: "7d", maxProducts: 5, category: "kid\'s" });',
      ].join('\n'),
    );
  });

  it('should send an API key in X-API-Key and leave empty fields out', () => {
    const snippets = copySnippets(fn, { lookback: '' }, 'http://gw:3000', true);
    expect(snippets.curl).toBe(
      `curl -H "X-API-Key: $KQLGATE_API_KEY" 'http://gw:3000/api/v1/functions/TopProducts'`,
    );
    expect(snippets.graphql).toBe('query {\n  TopProducts {\n    Sku Revenue\n  }\n}');
    expect(snippets.typescript).toContain('apiKey: process.env.KQLGATE_API_KEY');
    expect(snippets.typescript).toContain('await client.topProducts();');
  });
});
