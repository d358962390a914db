import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { measureDocument } from './document-measure.js';
import { introspectionRefusal, type IntrospectionPolicy } from './introspection-policy.js';
import { jsonLongerThan } from './json-length.js';
import { checkOperationLimits, responseTooLargeError, type QueryLimits } from './query-limits.js';
import type { DocumentMeasures } from './query-limits.rule.js';
import type { GraphqlContext } from './schema-builder.js';

/**
 * The checks of query-limits.ts that need the request: who the caller is (introspection), which operation runs
 * (depth, cost), and what the answer holds (response size).
 *
 * The operation's measure comes from the validation rule's pass over the document (`measures`); Apollo hands out
 * the same DocumentNode for a repeated query text (its document store), so a repeated query is measured once per
 * server. One listener object serves every request: per request this is a WeakMap and a Map lookup, and a walk of
 * the answer's data that stops at the size limit.
 */
export function queryLimitsPlugin(
  limits: QueryLimits,
  introspection: IntrospectionPolicy,
  measures: DocumentMeasures,
): ApolloServerPlugin<GraphqlContext> {
  const listener: GraphQLRequestListener<GraphqlContext> = {
    didResolveOperation({ document, operation, schema, contextValue }) {
      if (!operation) {
        return Promise.resolve();
      }
      let measure = measures.get(document);
      if (!measure) {
        measure = measureDocument(schema, document);
        measures.set(document, measure);
      }
      const operationMeasure = measure.operations.get(operation);
      if (!operationMeasure) {
        return Promise.resolve();
      }
      if (operationMeasure.introspectionFields > 0) {
        const refusal = introspectionRefusal(introspection, contextValue.principal);
        if (refusal) {
          throw refusal;
        }
      }
      checkOperationLimits(operationMeasure, limits, operation);
      return Promise.resolve();
    },
    willSendResponse({ response }) {
      if (
        response.body.kind === 'single' &&
        jsonLongerThan(response.body.singleResult.data, limits.maxResponseBytes)
      ) {
        // The data is dropped unserialized: a caller over the limit gets the reason, not a partial answer.
        response.body.singleResult = { errors: [responseTooLargeError(limits)] };
        response.http.status = 400;
      }
      return Promise.resolve();
    },
  };
  return { requestDidStart: () => Promise.resolve(listener) };
}
