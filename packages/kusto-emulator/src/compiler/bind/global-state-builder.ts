/**
 * Bind stage, part 1: turns our `DatabaseSchema` into a Kusto.Language `GlobalState` (tables as
 * `TableSymbol`s, stored functions as `FunctionSymbol`s with their body text) so that Microsoft's own
 * semantic analysis resolves every name, types every expression and expands function calls.
 *
 * Building the symbols costs far more than compiling a query, so states are cached per schema content.
 * Each cached state also carries a Kusto.Language `KustoCache` (`WithCache()`): without one, every
 * analysis starts from a fresh cache and rebuilds the lookup tables of built-in functions, aggregates and
 * operators (about a fifth of a query's analysis time). The cache also memoizes stored-function expansions
 * per call site, so it is renewed after a bounded number of analyses to keep its memory bounded too.
 */
/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" />
import { kustoLanguage } from '@kqlgate/kql-language';
import type { DatabaseSchema, KustoScalarType } from '../compiler-types.js';

type KustoNs = ReturnType<typeof kustoLanguage>;
export type GlobalState = Kusto.Language.GlobalState;

const MAX_CACHED_STATES = 32;
/** Analyses served by one `KustoCache` before it is replaced by an empty one (bounds its memory). */
export const MAX_ANALYSES_PER_CACHE = 2000;

interface CachedState {
  readonly key: string;
  /** The schema's symbols, without a cache. */
  readonly base: GlobalState;
  /** `base` with a `KustoCache`, handed to analyses. */
  analysis: GlobalState;
  analyses: number;
}

const cache = new Map<string, CachedState>();
const bySchemaObject = new WeakMap<DatabaseSchema, CachedState>();

function scalarSymbol(k: KustoNs, type: KustoScalarType): Kusto.Language.Symbols.ScalarSymbol | null {
  const t = k.Symbols.ScalarTypes;
  switch (type) {
    case 'bool':
      return t.Bool;
    case 'int':
      return t.Int;
    case 'long':
      return t.Long;
    case 'real':
      return t.Real;
    case 'decimal':
      return t.Decimal;
    case 'string':
      return t.String;
    case 'datetime':
      return t.DateTime;
    case 'timespan':
      return t.TimeSpan;
    case 'guid':
      return t.Guid;
    case 'dynamic':
      return t.Dynamic;
  }
}

function schemaKey(db: DatabaseSchema): string {
  return JSON.stringify(db);
}

function build(db: DatabaseSchema): GlobalState {
  const k = kustoLanguage();
  const S = k.Symbols;
  const symbols: Kusto.Language.Symbols.Symbol[] = [];
  for (const table of db.tables) {
    const columns = table.columns.map(
      (c) => new S.ColumnSymbol(c.name, scalarSymbol(k, c.type), null, null, null, null),
    );
    symbols.push(new S.TableSymbol.$ctor4(table.name, columns));
  }
  for (const table of db.externalTables ?? []) {
    const columns = table.columns.map(
      (c) => new S.ColumnSymbol(c.name, scalarSymbol(k, c.type), null, null, null, null),
    );
    symbols.push(new S.ExternalTableSymbol.$ctor1(table.name, columns));
  }
  for (const fn of db.functions) {
    const parameterList = `(${fn.parameters
      .map((p) => {
        const type = p.type === 'tabular' ? '(*)' : p.type;
        return `${p.name}:${type}${p.defaultValue !== undefined ? ` = ${p.defaultValue}` : ''}`;
      })
      .join(', ')})`;
    symbols.push(
      new S.FunctionSymbol.$ctor16(fn.name, parameterList, `{ ${fn.body} }`, fn.docString ?? null),
    );
  }
  const database = new S.DatabaseSymbol.ctor(db.name, symbols);
  const cluster = new S.ClusterSymbol.ctor('embedded', [database]);
  const base = k.GlobalState.Default;
  const state = base?.WithCluster(cluster)?.WithDatabase(database);
  if (!state) {
    throw new Error('Kusto.Language returned no GlobalState for the database schema');
  }
  return state;
}

function withCache(state: GlobalState): GlobalState {
  const cached = state.WithCache();
  if (!cached) {
    throw new Error('Kusto.Language returned no GlobalState with a cache');
  }
  return cached;
}

function entryFor(db: DatabaseSchema): CachedState {
  const known = bySchemaObject.get(db);
  if (known) {
    return known;
  }
  const key = schemaKey(db);
  let entry = cache.get(key);
  if (!entry) {
    const base = build(db);
    entry = { key, base, analysis: withCache(base), analyses: 0 };
    if (cache.size >= MAX_CACHED_STATES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) {
        cache.delete(oldest);
      }
    }
    cache.set(key, entry);
  }
  bySchemaObject.set(db, entry);
  return entry;
}

/** A stable identity for the schema's content (used to key compiled-query caches). */
export function schemaKeyFor(db: DatabaseSchema): string {
  return entryFor(db).key;
}

/**
 * The analysis state for `db`, cached by schema content (the engine bumps the schema on every change).
 * Call once per analysis: the count decides when the state's `KustoCache` is renewed.
 */
export function globalStateFor(db: DatabaseSchema): GlobalState {
  const entry = entryFor(db);
  entry.analyses += 1;
  if (entry.analyses > MAX_ANALYSES_PER_CACHE) {
    entry.analysis = withCache(entry.base);
    entry.analyses = 1;
  }
  return entry.analysis;
}
