import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../compiler-types.js';
import { compileKql } from '../kql-compiler.js';

const db: DatabaseSchema = { name: 'analytics', tables: [], functions: [] };

/** The values the compiled query binds for `print <literal>`. */
function printed(literal: string): unknown[] {
  return [...compileKql(`print ${literal}`, db).statements[0].parameters];
}

describe('lowerLiteral', () => {
  it('should read signed integer literals from their text', () => {
    expect(printed('long(+5)')).toContain(5n);
    expect(printed('int(+0x10)')).toContain(16n);
  });

  it('should refuse integer and real literals it cannot read rather than take Kusto.Language’s 0', () => {
    for (const literal of ['9223372036854775808', 'int(2147483648)', '1e400']) {
      expect(() => compileKql(`print ${literal}`, db), literal).toThrow(
        `literal ${literal} is not supported by the embedded engine`,
      );
    }
  });
});
