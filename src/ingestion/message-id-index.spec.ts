import { describe, expect, it } from 'vitest';
import { existingIdsQuery, kqlName } from './message-id-index.js';

describe('existingIdsQuery', () => {
  it('should look the ids up through one dynamic query parameter', () => {
    expect(existingIdsQuery('Orders', 'MessageId')).toBe(
      'declare query_parameters(ids:dynamic); Orders | where MessageId in (ids) | distinct MessageId',
    );
  });

  it('should quote names that are not plain identifiers', () => {
    expect(kqlName('My Table')).toBe("['My Table']");
    expect(kqlName("it's")).toBe("['it\\'s']");
  });
});
