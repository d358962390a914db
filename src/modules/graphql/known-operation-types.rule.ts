import type { ValidationRule } from 'graphql';
import { graphqlJs } from './graphql-runtime.js';

const { GraphQLError, OperationTypeNode } = graphqlJs;

/**
 * Refuses, over HTTP, operations whose root type the schema lacks (kqlgate's schemas have no `Mutation`) and
 * subscriptions, which are served over WebSocket only. graphql-js 16 does not validate this and fails the
 * operation at execution instead, which Apollo answered as a 200 with `INTERNAL_SERVER_ERROR`; as a validation
 * error it is the client error it is — 400 `GRAPHQL_VALIDATION_FAILED` — as graphql-js 17 does with its own
 * KnownOperationTypesRule.
 */
export const KnownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    if (node.operation === OperationTypeNode.SUBSCRIPTION) {
      context.reportError(
        new GraphQLError(
          'The subscription operation is served over WebSocket (the graphql-ws protocol) at /graphql, not over HTTP.',
          { nodes: [node] },
        ),
      );
    } else if (node.operation === OperationTypeNode.MUTATION && !schema.getMutationType()) {
      context.reportError(
        new GraphQLError(
          'The mutation operation is not supported by the schema: kqlgate serves queries only.',
          { nodes: [node] },
        ),
      );
    }
    return false;
  },
});

/**
 * The WebSocket counterpart: a graphql-ws connection carries subscriptions only, since queries have their one
 * path — cache headers, rate-limit headers, audit — over HTTP.
 */
export const SubscriptionsOnlyRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== OperationTypeNode.SUBSCRIPTION) {
      context.reportError(
        new GraphQLError(
          `The ${node.operation} operation is served over HTTP (POST /graphql); this WebSocket carries subscriptions only.`,
          { nodes: [node] },
        ),
      );
    } else if (!context.getSchema().getSubscriptionType()) {
      context.reportError(
        new GraphQLError(
          'The subscription operation is not supported by the schema: no function is exposed.',
          {
            nodes: [node],
          },
        ),
      );
    }
    return false;
  },
});
