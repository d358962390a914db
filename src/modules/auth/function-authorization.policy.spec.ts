import { describe, expect, it } from 'vitest';
import { AuthErrorCode } from './auth-error.js';
import type { FunctionAccessRules } from './function-access.js';
import { FunctionAuthorizationPolicy } from './function-authorization.policy.js';
import { anonymousPrincipal, type Principal } from './principal.js';

function fn(partial: Partial<FunctionAccessRules> = {}): FunctionAccessRules {
  return { name: 'Orders', anonymous: false, roles: [], scopes: [], boundParameters: {}, ...partial };
}

function user(partial: Partial<Principal> = {}): Principal {
  return { id: 'u', roles: [], scopes: [], claims: {}, anonymous: false, method: 'jwt', ...partial };
}

describe(FunctionAuthorizationPolicy.name, () => {
  const policy = new FunctionAuthorizationPolicy();

  describe('authorize', () => {
    it('should refuse anonymous callers with 401 unless the function allows them', () => {
      expect(() => policy.authorize(anonymousPrincipal('1.2.3.4'), fn())).toThrow(
        expect.objectContaining({
          code: AuthErrorCode.Unauthenticated,
          message: 'function Orders requires authentication',
        }),
      );
      expect(() => policy.authorize(anonymousPrincipal(), fn({ anonymous: true }))).not.toThrow();
    });

    it('should require a caller for an anonymous function with bound parameters', () => {
      expect(() =>
        policy.authorize(anonymousPrincipal(), fn({ anonymous: true, boundParameters: { tenantId: 'tid' } })),
      ).toThrow(expect.objectContaining({ code: AuthErrorCode.Unauthenticated }));
    });

    it('should accept one of the roles or one of the scopes', () => {
      const rules = fn({ roles: ['analyst', 'admin'], scopes: ['Query.Read'] });
      expect(() => policy.authorize(user({ roles: ['admin'] }), rules)).not.toThrow();
      expect(() => policy.authorize(user({ scopes: ['Query.Read'] }), rules)).not.toThrow();
      expect(() => policy.authorize(user({ roles: ['partner'] }), rules)).toThrow(
        expect.objectContaining({
          code: AuthErrorCode.Forbidden,
          message: 'function Orders requires one of: role analyst, role admin, scope Query.Read',
        }),
      );
    });
  });

  describe('bindClaims', () => {
    const rules = fn({ boundParameters: { tenantId: 'tid' } });

    it('should take bound parameters from claims', () => {
      expect(policy.bindClaims(user({ claims: { tid: 'A' } }), rules, { limit: 5 })).toEqual({
        params: { limit: 5, tenantId: 'A' },
        bound: { tenantId: 'A' },
      });
    });

    it('should reject an explicit value for a bound parameter', () => {
      expect(() => policy.bindClaims(user({ claims: { tid: 'A' } }), rules, { tenantId: 'B' })).toThrow(
        expect.objectContaining({
          code: AuthErrorCode.BoundParameterSupplied,
          message:
            'parameter tenantId of Orders is taken from the caller\'s "tid" claim and must not be passed',
        }),
      );
    });

    it('should refuse a caller without the claim', () => {
      expect(() => policy.bindClaims(user(), rules, {})).toThrow(
        expect.objectContaining({
          code: AuthErrorCode.BoundClaimMissing,
          message:
            'function Orders needs a "tid" claim (string or number) in the caller\'s credential for parameter tenantId',
        }),
      );
    });
  });
});
