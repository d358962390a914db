import { describe, expect, it } from 'vitest';
import type { CatalogFunction, Exposure } from '../catalog/catalog.types.js';
import { EXPOSURE_DEFAULTS } from '../catalog/exposure-header.js';
import type { Principal } from '../auth/principal.js';
import { AuthError, AuthErrorCode } from '../auth/auth-error.js';
import {
  accessProfileKey,
  callableFunctions,
  functionNotFound,
  visibleError,
  visibleFunctions,
} from './function-visibility.js';
import { QueryError, QueryErrorCode } from './query-error.js';

function fn(name: string, exposure?: Partial<Exposure>, boundTo?: string): CatalogFunction {
  return {
    name,
    file: `functions/${name}.kql`,
    position: { file: `functions/${name}.kql`, line: 1, column: 1 },
    parameters: boundTo
      ? [{ name: 'tenantId', type: 'string', required: false, binding: { claim: boundTo } }]
      : [],
    outputColumns: [],
    tables: [],
    exposure: exposure ? { ...EXPOSURE_DEFAULTS, ...exposure } : undefined,
    command: undefined as never,
  };
}

function caller(roles: string[], scopes: string[] = []): Principal {
  return { id: 'u', roles, scopes, claims: {}, anonymous: false };
}
const anonymous: Principal = { id: 'anonymous', roles: [], scopes: [], claims: {}, anonymous: true };

describe('accessProfileKey', () => {
  it('should give equal keys to equal role and scope sets in any order', () => {
    expect(accessProfileKey(caller(['b', 'a'], ['x']))).toBe(accessProfileKey(caller(['a', 'b'], ['x'])));
    expect(accessProfileKey(caller(['a']))).not.toBe(accessProfileKey(caller([], ['a'])));
    expect(accessProfileKey(anonymous)).toBe('anonymous');
  });
});

describe('callableFunctions', () => {
  const functions = [
    fn('Open', {}),
    fn('Public', { anonymous: true }),
    fn('PublicButBound', { anonymous: true }, 'tid'),
    fn('Analysts', { roles: ['analyst'] }),
    fn('ByScope', { scopes: ['read'] }),
    fn('Internal'),
  ];
  const names = (principal: Principal) => callableFunctions(functions, principal).map((f) => f.name);

  it('should apply the authorization rules of the call itself', () => {
    expect(names(anonymous)).toEqual(['Public']);
    expect(names(caller([]))).toEqual(['Open', 'Public', 'PublicButBound']);
    expect(names(caller(['analyst']))).toEqual(['Open', 'Public', 'PublicButBound', 'Analysts']);
    expect(names(caller([], ['read']))).toEqual(['Open', 'Public', 'PublicButBound', 'ByScope']);
  });
});

describe('visibleError', () => {
  const functions = [fn('Public', { anonymous: true }), fn('Analysts', { roles: ['analyst'] })];
  const forbidden = new AuthError(
    AuthErrorCode.Forbidden,
    'function Analysts requires one of: role analyst',
    {
      function: 'Analysts',
      requiredRoles: ['analyst'],
    },
  );
  const unauthenticated = new AuthError(
    AuthErrorCode.Unauthenticated,
    'function Analysts requires authentication',
  );
  const unknown = new QueryError(QueryErrorCode.FunctionNotFound, 'no function named Nope', {
    function: 'Nope',
  });

  it('should answer a refusal with callable visibility exactly as an unknown name', () => {
    const hidden = visibleError(
      forbidden,
      'Analysts',
      caller(['support']),
      functions,
      'callable',
    ) as QueryError;
    const missing = visibleError(
      unknown,
      'Analysts',
      caller(['support']),
      functions,
      'callable',
    ) as QueryError;
    expect(hidden).toBeInstanceOf(QueryError);
    expect([hidden.code, hidden.message, hidden.details]).toEqual([
      missing.code,
      missing.message,
      missing.details,
    ]);
    expect(visibleError(unauthenticated, 'Analysts', anonymous, functions, 'callable')).toMatchObject({
      code: QueryErrorCode.FunctionNotFound,
    });
  });

  it('should keep the refusal of a function every caller sees, and any other error', () => {
    expect(visibleError(forbidden, 'Analysts', caller(['support']), functions, 'all')).toBe(forbidden);
    const claim = new AuthError(AuthErrorCode.BoundClaimMissing, 'needs a "tid" claim');
    expect(visibleError(claim, 'Analysts', caller(['analyst']), functions, 'callable')).toBe(claim);
  });
});

describe('functionNotFound', () => {
  const functions = [fn('TopProducts', {}), fn('TopCustomers', {}), fn('Orders', {})];

  it('should list nothing and suggest only a close visible name', () => {
    expect(functionNotFound('NoSuchThing', functions).message).toBe(
      'no function named NoSuchThing; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
    );
    expect(functionNotFound('topproducts', functions).message).toContain('did you mean TopProducts?');
    expect(functionNotFound('TopProduct', functions).message).toContain('did you mean TopProducts?');
    expect(
      functionNotFound('Order', visibleFunctions(functions, anonymous, 'callable')).message,
    ).not.toContain('did you mean');
  });
});
