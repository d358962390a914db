import { describe, expect, it } from 'vitest';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import { EXPOSURE_DEFAULTS } from '../catalog/exposure-header.js';
import { mcpTool } from './mcp-tool-builder.js';

const ORDERS: CatalogFunction = {
  name: 'RecentOrders',
  docString: 'Recent orders of the caller tenant',
  file: 'functions/RecentOrders.kql',
  position: { file: 'functions/RecentOrders.kql', line: 1, column: 1 },
  parameters: [
    { name: 'tenantId', type: 'string', required: false, binding: { claim: 'tid' } },
    {
      name: 'lookback',
      type: 'timespan',
      required: false,
      defaultText: '1h',
      defaultValue: '01:00:00',
      range: { max: { kind: 'timespan', text: '30d', ticks: '25920000000000' } },
    },
    {
      name: 'top',
      type: 'long',
      required: true,
      range: {
        min: { kind: 'long', text: '1', value: '1' },
        max: { kind: 'long', text: '500', value: '500' },
      },
    },
  ],
  outputColumns: [
    { name: 'OrderId', type: 'string' },
    { name: 'Quantity', type: 'long' },
    { name: 'Details', type: 'dynamic' },
  ],
  tables: ['Orders'],
  exposure: { ...EXPOSURE_DEFAULTS, roles: ['analyst'], maxRows: 50 },
  command: undefined as never,
};

describe(mcpTool.name, () => {
  describe('inputSchema', () => {
    it('should list the caller parameters with types, defaults and ranges, never a claim-bound one', () => {
      expect(mcpTool(ORDERS, 100).inputSchema).toEqual({
        type: 'object',
        additionalProperties: false,
        properties: {
          lookback: {
            type: 'string',
            description:
              'KQL type timespan; default 1h. A timespan: 30m, 1h, 2d, 1.02:00:00 or ISO-8601 PT1H; at most 30d',
            examples: ['1h'],
            default: '01:00:00',
          },
          top: {
            type: ['integer', 'string'],
            format: 'int64',
            pattern: '^[+-]?\\d+$',
            minimum: 1,
            maximum: 500,
            description: 'KQL type long; between 1 and 500',
          },
        },
        required: ['top'],
      });
    });
  });

  describe('outputSchema', () => {
    it('should type each row column as the REST JSON does, with null allowed', () => {
      const rows = mcpTool(ORDERS, 100).outputSchema.properties as Record<string, { items: unknown }>;
      expect(rows.rows.items).toEqual({
        type: 'object',
        description: 'One row of RecentOrders',
        properties: {
          OrderId: { type: ['string', 'null'], 'x-kusto-type': 'string' },
          Quantity: {
            type: ['integer', 'string', 'null'],
            format: 'int64',
            description: 'A number, or a decimal string when beyond ±2^53',
            'x-kusto-type': 'long',
          },
          Details: { description: 'Any JSON value (Kusto dynamic)', 'x-kusto-type': 'dynamic' },
        },
        required: ['OrderId', 'Quantity', 'Details'],
      });
    });
  });

  describe('description', () => {
    it('should say where bound parameters come from and the lower of the two row caps', () => {
      expect(mcpTool(ORDERS, 100).description).toBe(
        [
          'Recent orders of the caller tenant',
          "`tenantId` is taken from the caller's `tid` claim.",
          'Returns at most 50 rows; `truncated` is true when more existed (narrow the parameters to see them).',
        ].join('\n'),
      );
      expect(mcpTool(ORDERS, 20).description).toContain('Returns at most 20 rows;');
    });
  });
});
