import type { ValidationRule } from 'graphql';
import { graphqlJs } from './graphql-runtime.js';

const { GraphQLError, OperationTypeNode } = graphqlJs;

/**
 * Refuses operations whose root type the schema lacks (kqlgate's schemas have only `Query`). graphql-js 16 does
 * not validate this and fails the operation at execution instead, which Apollo answered as a 200 with
 * `INTERNAL_SERVER_ERROR`; as a validation error it is the client error it is — 400 `GRAPHQL_VALIDATION_FAILED` —
 * as graphql-js 17 does with its own KnownOperationTypesRule.
 */
export const KnownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    const root =
      node.operation === OperationTypeNode.QUERY
        ? schema.getQueryType()
        : node.operation === OperationTypeNode.MUTATION
          ? schema.getMutationType()
          : schema.getSubscriptionType();
    if (!root) {
      context.reportError(
        new GraphQLError(
          `The ${node.operation} operation is not supported by the schema: kqlgate serves queries only.`,
          { nodes: [node] },
        ),
      );
    }
    return false;
  },
});
