import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GraphqlContext } from './schema-builder.js';

/** Reports each call's meta under `extensions.kqlgate.calls`; one listener object shared by every request. */
const callsExtensionListener: GraphQLRequestListener<GraphqlContext> = {
  willSendResponse({ response, contextValue }) {
    if (response.body.kind === 'single' && contextValue.calls.length > 0) {
      response.body.singleResult.extensions = {
        ...response.body.singleResult.extensions,
        kqlgate: { calls: contextValue.calls },
      };
    }
    return Promise.resolve();
  },
};
export const callsExtensionPlugin: ApolloServerPlugin<GraphqlContext> = {
  requestDidStart: () => Promise.resolve(callsExtensionListener),
};
