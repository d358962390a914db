import type {
  DefinitionNode,
  GraphQLError as GraphQLErrorType,
  GraphQLFormattedError,
  ValidationRule,
} from 'graphql';
import { graphqlJs } from './graphql-runtime.js';
import { documentHash, type TrustedDocumentRegistry } from './trusted-document.registry.js';

const { GraphQLError, Kind, OperationTypeNode } = graphqlJs;

export const PERSISTED_QUERY_NOT_TRUSTED_CODE = 'PERSISTED_QUERY_NOT_TRUSTED';

const INTROSPECTION_FIELDS = new Set(['__schema', '__type', '__typename']);

/** Tooling's operations (only introspection fields at the top), left to the introspection policy. */
function introspectionOnly(definition: DefinitionNode): boolean {
  return (
    definition.kind !== Kind.OPERATION_DEFINITION ||
    (definition.operation === OperationTypeNode.QUERY &&
      definition.selectionSet.selections.every(
        (selection) => selection.kind === Kind.FIELD && INTROSPECTION_FIELDS.has(selection.name.value),
      ))
  );
}

export function notTrustedError(): GraphQLErrorType {
  return new GraphQLError(
    'this gateway serves only trusted GraphQL documents and this one is not registered: add the operation to the ' +
      "front-end's .graphql files, run `kqlgate graphql extract <dir> --out <file>` and point " +
      'GRAPHQL_TRUSTED_DOCUMENTS at that file (or send the sha256Hash of a registered document)',
    { extensions: { code: PERSISTED_QUERY_NOT_TRUSTED_CODE, http: { status: 400 } } },
  );
}

/**
 * GRAPHQL_TRUSTED_DOCUMENTS_ONLY: refuses a document — sent as text, or found by its hash in the persisted-query
 * extension — that is not in the manifest. A validation rule, because that is the first step after parsing where
 * an error becomes a 400 (Apollo turns one thrown from didResolveSource into a 500): on entering the document it
 * hashes the parsed text and, for a stranger, reports the refusal and returns `null`, which stops the visit for
 * every rule at once (as query-limits.rule.ts does), so an unregistered document is neither validated nor
 * measured and its errors do not describe the schema. Only documents that pass are cached by Apollo, so the hash
 * is computed once per registered document and schema. Documents made only of introspection fields pass on to the
 * introspection policy (queryLimitsPlugin), so codegen and IDEs keep working where that policy allows them.
 *
 * Goes first in the rules Apollo appends to graphql-js's, so no rule of ours measures the document before.
 */
export function trustedDocumentsRule(registry: TrustedDocumentRegistry): ValidationRule {
  return (context) => ({
    Document(document) {
      const text = document.loc?.source.body;
      if (
        (text !== undefined && registry.has(documentHash(text))) ||
        document.definitions.every(introspectionOnly)
      ) {
        return undefined;
      }
      context.reportError(notTrustedError());
      return null;
    },
  });
}

/**
 * Apollo reports every validation-rule error as GRAPHQL_VALIDATION_FAILED; the refusal gets its own code back
 * (the rule's error is the `originalError`) before `next` formats the rest.
 */
export function trustedDocumentsFormatError(
  next: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    if (original instanceof GraphQLError && original.extensions.code === PERSISTED_QUERY_NOT_TRUSTED_CODE) {
      return {
        ...formatted,
        extensions: { ...formatted.extensions, code: PERSISTED_QUERY_NOT_TRUSTED_CODE },
      };
    }
    return next(formatted, error);
  };
}
