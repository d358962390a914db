import { describe, expect, it } from 'vitest';
import { existingIdsQuery, idsParameterValue, kqlName } from './message-id-index.js';

describe('existingIdsQuery', () => {
  it('should keep the query text constant and bind the ids as a dynamic parameter', () => {
    expect(existingIdsQuery('Orders', 'MessageId')).toBe(
      'declare query_parameters(ids:dynamic); Orders | where MessageId in (ids) | distinct MessageId',
    );
    expect(idsParameterValue(['a', 'x"y\\z'])).toBe('dynamic(["a","x\\"y\\\\z"])');
  });

  it('should quote names', () => {
    expect(kqlName('My Table')).toBe("['My Table']");
  });
});
