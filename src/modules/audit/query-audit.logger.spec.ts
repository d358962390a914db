import { describe, expect, it } from 'vitest';
import type { Logger } from '../../common/logging/logger.js';
import { countRows, QueryAuditLogger } from './query-audit.logger.js';

describe(QueryAuditLogger.name, () => {
  describe('record', () => {
    it('should write one line with a parameter hash and never the values', () => {
      const lines: { obj: object | string; msg?: string }[] = [];
      const spy: Logger = {
        debug: () => undefined,
        warn: () => undefined,
        error: () => undefined,
        info: (obj, msg) => lines.push({ obj, msg }),
      };
      const audit = new QueryAuditLogger(spy);
      audit.record({
        principal: 'apikey:acme',
        method: 'api-key',
        function: 'CustomerOrders',
        params: { customerId: 'c-secret-42', tenantId: 'A' },
        rows: 3,
        durationMs: 1.23456,
        cache: 'hit',
        outcome: 'ok',
      });
      audit.record({
        principal: 'x',
        function: 'CustomerOrders',
        params: { tenantId: 'A', customerId: 'c-secret-42' },
        outcome: 'ok',
      });
      expect(lines).toHaveLength(2);
      expect(lines[0]).toEqual({
        msg: 'query',
        obj: {
          audit: 'query',
          principal: 'apikey:acme',
          method: 'api-key',
          function: 'CustomerOrders',
          paramsHash: expect.stringMatching(/^[\w-]{16}$/),
          rows: 3,
          durationMs: 1.23,
          cache: 'hit',
          outcome: 'ok',
          errorCode: undefined,
        },
      });
      expect(JSON.stringify(lines)).not.toContain('c-secret-42');
      expect((lines[1].obj as { paramsHash: string }).paramsHash).toBe(
        (lines[0].obj as { paramsHash: string }).paramsHash,
      );
    });
  });

  describe(countRows.name, () => {
    it('should count arrays and rows/data members', () => {
      expect(countRows([1, 2])).toBe(2);
      expect(countRows({ columns: [], rows: [1] })).toBe(1);
      expect(countRows({ data: [] })).toBe(0);
      expect(countRows('x')).toBeUndefined();
    });
  });
});
