import { describe, expect, it } from 'vitest';
import { existingIdsQuery, kqlName, kqlString } from './message-id-index.js';

describe('existingIdsQuery', () => {
  it('should look the ids up as one dynamic array literal', () => {
    expect(existingIdsQuery('Orders', 'MessageId', ['a', 'b'])).toBe(
      'Orders | where MessageId in (dynamic(["a","b"])) | distinct MessageId',
    );
  });

  it('should quote names and escape values', () => {
    expect(kqlName('My Table')).toBe("['My Table']");
    expect(kqlString('x"y\\z')).toBe('"x\\"y\\\\z"');
  });
});
