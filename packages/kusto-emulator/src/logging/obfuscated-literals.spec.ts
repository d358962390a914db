import { describe, expect, it } from 'vitest';
import { withObfuscatedLiterals } from './obfuscated-literals.js';

describe('withObfuscatedLiterals', () => {
  it('should hide h-prefixed literals and keep the rest of the query', () => {
    expect(
      withObfuscatedLiterals(
        `externaldata (a: string) [h@'https://a.blob.core.windows.net/c/x.csv;S3cr3t=='] | where a == 'hello' and b == H"k\\"ey"`,
      ),
    ).toBe(`externaldata (a: string) [h'****'] | where a == 'hello' and b == h'****'`);
  });

  it('should leave identifiers that end in h alone', () => {
    expect(withObfuscatedLiterals(`T | where path == 'x' | extend with_h = strlen('y')`)).toBe(
      `T | where path == 'x' | extend with_h = strlen('y')`,
    );
  });
});
