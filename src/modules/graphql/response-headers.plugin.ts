import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ANONYMOUS_CHALLENGE } from '../query/refusal-headers.js';
import { rateLimitHeaders } from '../rate-limit/rate-limit-error.js';
import type { GraphqlRequestContext } from './graphql-context.factory.js';

/**
 * The response headers kqlgate adds to Apollo's: `RateLimit-*` of the budget the fields' calls left (or the one
 * that refused a call), and on a 401 (introspection refused to an anonymous caller) the challenge saying which
 * credentials would do. One listener object shared by every request.
 */
const responseHeadersListener: GraphQLRequestListener<GraphqlRequestContext> = {
  willSendResponse({ response, contextValue }) {
    const budget = contextValue.budget.state;
    if (budget) {
      for (const [name, value] of Object.entries(rateLimitHeaders(budget))) {
        response.http.headers.set(name, value);
      }
    }
    if (response.http.status === 401 && !response.http.headers.has('www-authenticate')) {
      response.http.headers.set('www-authenticate', ANONYMOUS_CHALLENGE);
    }
    return Promise.resolve();
  },
};

export const responseHeadersPlugin: ApolloServerPlugin<GraphqlRequestContext> = {
  requestDidStart: () => Promise.resolve(responseHeadersListener),
};
