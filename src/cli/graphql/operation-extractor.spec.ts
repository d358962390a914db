import { describe, expect, it } from 'vitest';
import { documentHash } from '../../modules/graphql/trusted-document.registry.js';
import { extractOperations } from './operation-extractor.js';

describe('extractOperations', () => {
  it('should give each operation the fragments it uses, through other fragments, in name order', () => {
    const { manifest, problems } = extractOperations([
      { path: 'a.graphql', text: 'query A { x { ...Z } }\nquery B { y }' },
      {
        path: 'f.graphql',
        text: 'fragment Z on X { ...Y }\nfragment Y on X { id }\nfragment Unused on X { id }',
      },
    ]);
    const a =
      'query A {\n  x {\n    ...Z\n  }\n}\n\nfragment Y on X {\n  id\n}\n\nfragment Z on X {\n  ...Y\n}';
    const b = 'query B {\n  y\n}';
    expect(problems).toEqual([]);
    expect(manifest).toEqual({ [documentHash(a)]: a, [documentHash(b)]: b });
  });

  it('should report a syntax error, an unknown fragment and a duplicate fragment with file:line', () => {
    expect(
      extractOperations([
        { path: 'a.graphql', text: 'query A { x { ...Missing } }' },
        { path: 'b.graphql', text: '\nquery {' },
        { path: 'c.graphql', text: 'fragment F on X { id }\nfragment F on X { id }' },
      ]),
    ).toEqual({
      manifest: {},
      problems: [
        'b.graphql:2:8: Syntax Error: Expected Name, found <EOF>.',
        'c.graphql:2: duplicate fragment name F (first at c.graphql:1)',
        'a.graphql:1: operation A uses unknown fragment Missing',
      ],
    });
  });
});
