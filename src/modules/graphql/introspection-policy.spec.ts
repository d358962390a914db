import { describe, expect, it } from 'vitest';
import { EnvConfig } from '../../config/env.dto.js';
import type { Principal } from '../auth/principal.js';
import { introspectionPolicyOf, introspectionRefusal } from './introspection-policy.js';

const config = (values: Partial<EnvConfig>): EnvConfig => Object.assign(new EnvConfig(), values);
const anonymous: Principal = { id: 'anonymous', roles: [], scopes: [], claims: {}, anonymous: true };
const caller: Principal = { id: 'u', roles: [], scopes: [], claims: {}, anonymous: false };

describe('introspectionPolicyOf', () => {
  it('should allow everyone in development and only callers with credentials in production', () => {
    expect(introspectionPolicyOf(config({}))).toBe('all');
    expect(introspectionPolicyOf(config({ NODE_ENV: 'development' }))).toBe('all');
    expect(introspectionPolicyOf(config({ NODE_ENV: 'production' }))).toBe('authenticated');
    expect(
      introspectionPolicyOf(config({ KUSTO_CLUSTER_URL: 'https://c.westeurope.kusto.windows.net' })),
    ).toBe('authenticated');
  });

  it('should follow GRAPHQL_INTROSPECTION when it is set', () => {
    expect(introspectionPolicyOf(config({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'all' }))).toBe(
      'all',
    );
    expect(introspectionPolicyOf(config({ GRAPHQL_INTROSPECTION: 'off' }))).toBe('off');
  });
});

describe('introspectionRefusal', () => {
  it('should refuse anonymous callers with a 401 when credentials are needed, and everyone when off', () => {
    expect(introspectionRefusal('all', anonymous)).toBeUndefined();
    expect(introspectionRefusal('authenticated', caller)).toBeUndefined();
    expect(introspectionRefusal('authenticated', anonymous)).toMatchObject({
      message: 'GraphQL introspection needs credentials: send a bearer token or an API key',
      extensions: { code: 'AUTH_UNAUTHENTICATED', http: { status: 401 } },
    });
    expect(introspectionRefusal('off', caller)).toMatchObject({
      message: 'GraphQL introspection is turned off on this gateway',
      extensions: { code: 'GRAPHQL_INTROSPECTION_DISABLED', http: { status: 403 } },
    });
  });
});
