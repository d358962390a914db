import type { GraphQLError as GraphQLErrorType } from 'graphql';
import type { EnvConfig } from '../../config/env.dto.js';
import { AuthErrorCode } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import { graphqlJs } from './graphql-runtime.js';

const { GraphQLError } = graphqlJs;

/**
 * `GRAPHQL_INTROSPECTION`: who may select `__schema` / `__type`.
 * - `all`: every caller, anonymous ones included — the default in development (embedded engine, NODE_ENV not
 *   `production`), where GraphiQL and codegen need it;
 * - `authenticated`: callers with a valid credential — the default in production (NODE_ENV=production, or an ADX
 *   cluster configured), so an anonymous caller cannot list the API nor spend the gateway's CPU on it;
 * - `off`: nobody (`npx kqlgate schema --graphql` still prints the schema for the people who deploy it).
 * `__typename` is not introspection: clients add it to every selection set.
 */
export type IntrospectionPolicy = 'all' | 'authenticated' | 'off';

export const INTROSPECTION_DISABLED_CODE = 'GRAPHQL_INTROSPECTION_DISABLED';

export function introspectionPolicyOf(config: EnvConfig | undefined): IntrospectionPolicy {
  if (!config) {
    return 'all';
  }
  if (config.GRAPHQL_INTROSPECTION) {
    return config.GRAPHQL_INTROSPECTION;
  }
  return config.production ? 'authenticated' : 'all';
}

/** The error a caller gets for an operation selecting introspection fields it may not use, if any. */
export function introspectionRefusal(
  policy: IntrospectionPolicy,
  principal: Principal,
): GraphQLErrorType | undefined {
  switch (policy) {
    case 'all':
      return undefined;
    case 'authenticated':
      return principal.anonymous
        ? new GraphQLError('GraphQL introspection needs credentials: send a bearer token or an API key', {
            extensions: { code: AuthErrorCode.Unauthenticated, http: { status: 401 } },
          })
        : undefined;
    case 'off':
      return new GraphQLError('GraphQL introspection is turned off on this gateway', {
        extensions: { code: INTROSPECTION_DISABLED_CODE, http: { status: 403 } },
      });
  }
}
