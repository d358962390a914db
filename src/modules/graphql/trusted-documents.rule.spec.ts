import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { graphqlJs } from './graphql-runtime.js';
import { TrustedDocumentRegistry } from './trusted-document.registry.js';
import { PERSISTED_QUERY_NOT_TRUSTED_CODE, trustedDocumentsRule } from './trusted-documents.rule.js';

const { buildSchema, parse, specifiedRules, validate } = graphqlJs;

const schema = buildSchema('type Query { orders: [String] }');

/** A registry that trusts nothing: what the rule lets through is then only what it exempts. */
const registry = new TrustedDocumentRegistry(loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'true' }));

function codesOf(query: string): unknown[] {
  return validate(schema, parse(query), [...specifiedRules, trustedDocumentsRule(registry)]).map(
    (error) => error.extensions.code,
  );
}

describe('trustedDocumentsRule', () => {
  it('should refuse an unregistered document and stop the other rules from reporting on it', () => {
    expect(codesOf('{ orders unknownField }')).toEqual([PERSISTED_QUERY_NOT_TRUSTED_CODE]);
  });

  it('should leave a document of introspection fields only to the introspection policy', () => {
    expect(codesOf('query Tools { __schema { queryType { name } } __typename }')).toEqual([]);
  });

  it('should refuse a document that mixes introspection with other fields', () => {
    expect(codesOf('{ __typename orders }')).toEqual([PERSISTED_QUERY_NOT_TRUSTED_CODE]);
  });
});
