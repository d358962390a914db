import { describe, expect, it } from 'vitest';
import { escapeRegex, strftimeFormat, termPattern } from './term-pattern.js';

describe('termPattern', () => {
  it('should match whole terms case-insensitively unless _cs', () => {
    const has = new RegExp(
      termPattern('now', 'has', true).replace('[:alnum:]', 'a-zA-Z0-9').replace('[:alnum:]', 'a-zA-Z0-9'),
    );
    expect(has.test('Buy now!')).toBe(true);
    expect(has.test('Buy nowhere')).toBe(false);
    expect(termPattern('a.b', 'has', false)).toBe('(?i)(^|[^[:alnum:]])a\\.b($|[^[:alnum:]])');
    expect(termPattern('x', 'hasprefix', true)).toBe('(^|[^[:alnum:]])x');
    expect(termPattern('x', 'hassuffix', false)).toBe('(?i)x($|[^[:alnum:]])');
  });

  it('should escape every RE2 metacharacter', () => {
    expect(escapeRegex('a+b(c)[d]{e}|f^g$h.i*j?k\\')).toBe(
      'a\\+b\\(c\\)\\[d\\]\\{e\\}\\|f\\^g\\$h\\.i\\*j\\?k\\\\',
    );
  });
});

describe('strftimeFormat', () => {
  it('should translate Kusto datetime format specifiers', () => {
    expect(strftimeFormat('yyyy-MM-dd HH:mm:ss.fff')).toBe('%Y-%m-%d %H:%M:%S.%g');
    expect(strftimeFormat('y-M-d h:m:s.fffffff tt')).toBe('%-y-%-m-%-d %-I:%-M:%-S.\u0001 %p');
    expect(strftimeFormat('100%')).toBe('100%%');
  });
});
