import type { ExecutionResult } from 'graphql';
import type { GraphiQL } from 'graphiql';
import type { ComponentProps } from 'react';
import { credentialHeaders } from '../../explorer/src/api/credential-store.js';

export type GraphqlFetcher = ComponentProps<typeof GraphiQL>['fetcher'];

/**
 * GraphiQL's fetcher: every operation, introspection included, is a POST to this origin's /graphql carrying the
 * caller's credential, so the schema and the answers are exactly what that caller may see. The headers GraphiQL's
 * own editor adds go along, but the credential field wins.
 */
export function graphqlFetcher(credential: string): GraphqlFetcher {
  return async (params, options) => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        ...options?.headers,
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...credentialHeaders(credential),
      },
      body: JSON.stringify(params),
    });
    const body = await response.text();
    try {
      return JSON.parse(body) as ExecutionResult;
    } catch {
      // Not GraphQL (a proxy's error page, a 5xx): show what came back rather than a JSON syntax error.
      throw new Error(`POST /graphql answered ${response.status}: ${body.slice(0, 500)}`);
    }
  };
}
