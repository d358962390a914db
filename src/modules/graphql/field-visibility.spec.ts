import { describe, expect, it } from 'vitest';
import type { CatalogFunction, Exposure } from '../catalog/catalog.types.js';
import { EXPOSURE_DEFAULTS } from '../catalog/exposure-header.js';
import type { Principal } from '../query/query-hooks.js';
import { accessProfileKey, callableFunctions } from './field-visibility.js';

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
