import { describe, expect, it } from 'vitest';
import type { FilterableMessage } from './message-filter.js';
import { compileSqlFilter, SqlFilterSyntaxError } from './sql-filter.js';

function message(user: Record<string, unknown>, system: Record<string, unknown> = {}): FilterableMessage {
  return { user, system };
}

describe('compileSqlFilter', () => {
  describe('matches', () => {
    const cases: [string, FilterableMessage, boolean][] = [
      ['amount > 100', message({ amount: 150 }), true],
      ['amount > 100', message({ amount: 100 }), false],
      ["amount >= 100 AND region = 'eu'", message({ amount: 100, region: 'eu' }), true],
      ["region = 'eu' OR region = 'us'", message({ region: 'us' }), true],
      ["NOT region = 'eu'", message({ region: 'us' }), true],
      ["region <> 'eu'", message({ region: 'eu' }), false],
      ["region != 'eu'", message({ region: 'us' }), true],
      ["kind IN ('a', 'b')", message({ kind: 'b' }), true],
      ["kind NOT IN ('a', 'b')", message({ kind: 'b' }), false],
      ["name LIKE 'ord%'", message({ name: 'order-1' }), true],
      ["name LIKE 'o_d'", message({ name: 'odd' }), true],
      ["name NOT LIKE 'ord%'", message({ name: 'order-1' }), false],
      ["name LIKE '100!%' ESCAPE '!'", message({ name: '100%' }), true],
      ['missing IS NULL', message({}), true],
      ['amount IS NOT NULL', message({ amount: 1 }), true],
      ['EXISTS(amount)', message({ amount: 1 }), true],
      ['NOT EXISTS(amount)', message({}), true],
      ["sys.Label = 'vip'", message({}, { label: 'vip' }), true],
      ["sys.Subject = 'vip'", message({}, { label: 'vip' }), true],
      ["sys.MessageId = 'm-1' AND user.flag = TRUE", message({ flag: true }, { messageid: 'm-1' }), true],
      ['[my prop] = 1', message({ 'my prop': 1 }), true],
      ['amount * 2 + 1 = 21', message({ amount: 10 }), true],
      ['-amount < 0', message({ amount: 3 }), true],
      // Three-valued logic: a missing property is NULL, so neither the predicate nor its negation holds.
      ["region = 'eu'", message({}), false],
      ["NOT region = 'eu'", message({}), false],
      ["region = 'eu' OR amount > 1", message({ amount: 2 }), true],
      ['1 = 1', message({}), true],
      ["'it''s' = quote", message({ quote: "it's" }), true],
    ];
    it.each(cases)('should evaluate %s', (expression, input, expected) => {
      expect(compileSqlFilter(expression).matches(input)).toBe(expected);
    });

    it('should raise an evaluation error when comparing a string with a number', () => {
      expect(() => compileSqlFilter('amount > 100').matches(message({ amount: 'lots' }))).toThrow(
        'cannot compare string "lots" with number 100',
      );
    });
  });

  describe('syntax errors', () => {
    const cases: [string, string][] = [
      ['amount >', 'expected a value or property name at position 9, found end of expression'],
      ["name = 'open", 'unterminated string literal starting at position 8'],
      ['amount > 1 AND', 'expected a value or property name at position 15, found end of expression'],
      ['amount ~ 1', "unexpected character '~' at position 8"],
      ['kind IN (1, 2', "expected ')' at position 14, found end of expression"],
      ['name LIKE 5', 'expected a string pattern after LIKE at position 11'],
      ['amount IS 5', 'expected NULL at position 11'],
      ['', 'the SQL filter expression is empty'],
    ];
    it.each(cases)('should reject %j', (expression, message) => {
      expect(() => compileSqlFilter(expression)).toThrow(SqlFilterSyntaxError);
      expect(() => compileSqlFilter(expression)).toThrow(message);
    });
  });
});
