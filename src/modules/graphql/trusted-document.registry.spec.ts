import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { graphqlJs } from './graphql-runtime.js';
import { documentHash, TrustedDocumentRegistry } from './trusted-document.registry.js';

const schema = graphqlJs.buildSchema('type Query { orders(first: Int): [String] }');

function registryOf(manifest: string): { registry: TrustedDocumentRegistry; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'trusted-documents-')), 'trusted.json');
  writeFileSync(path, manifest);
  return { registry: new TrustedDocumentRegistry(loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS: path })), path };
}

describe(TrustedDocumentRegistry.name, () => {
  describe('load', () => {
    it('should keep the documents that validate and report each other one on a line with its operation', () => {
      const good = 'query Orders { orders }';
      const stale = 'query Customers { customers }';
      const wrongKey = 'query Other { orders(first: 1) }';
      const { registry, path } = registryOf(
        JSON.stringify({
          [documentHash(good)]: good,
          [documentHash(stale)]: stale,
          ['0'.repeat(64)]: wrongKey,
          [documentHash('query {')]: 'query {',
        }),
      );

      expect(registry.load(schema)).toEqual([
        `GRAPHQL_TRUSTED_DOCUMENTS ${path}: operation Customers no longer validates: Cannot query field "customers" on type "Query".; not served`,
        `GRAPHQL_TRUSTED_DOCUMENTS ${path}: entry ${'0'.repeat(64)} is not the sha256 of its document (${documentHash(wrongKey)}); not served`,
        `GRAPHQL_TRUSTED_DOCUMENTS ${path}: entry ${documentHash('query {')} does not parse: Syntax Error: Expected Name, found <EOF>.; not served`,
      ]);
      expect(registry.get(documentHash(good))).toBe(good);
      expect(registry.has(documentHash(stale))).toBe(false);
      expect(registry.size).toBe(1);
    });

    it('should serve no document from a manifest that is not a JSON object', () => {
      const { registry, path } = registryOf('["query Orders { orders }"]');
      expect(registry.load(schema)).toEqual([
        `GRAPHQL_TRUSTED_DOCUMENTS ${path}: must be a JSON object {"<sha256 of the document>": "<document>"}; no trusted document is served`,
      ]);
      expect(registry.size).toBe(0);
    });

    it('should warn that every operation is refused when only trusted documents are served and there is no manifest', () => {
      const registry = new TrustedDocumentRegistry(loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'true' }));
      expect(registry.load(schema)).toEqual([
        'GRAPHQL_TRUSTED_DOCUMENTS_ONLY is on (the default with NODE_ENV=production) and GRAPHQL_TRUSTED_DOCUMENTS is not set: every GraphQL operation is refused. Set GRAPHQL_TRUSTED_DOCUMENTS to a manifest (kqlgate graphql extract) or GRAPHQL_TRUSTED_DOCUMENTS_ONLY=false',
      ]);
      expect(registry.size).toBe(0);
    });

    it('should report nothing without a manifest when any document is served', () => {
      const registry = new TrustedDocumentRegistry(loadConfig({ GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'false' }));
      expect(registry.load(schema)).toEqual([]);
    });
  });
});
