/**
 * Bind stage, part 1: turns our `DatabaseSchema` into a Kusto.Language `GlobalState` (tables as
 * `TableSymbol`s, stored functions as `FunctionSymbol`s with their body text) so that Microsoft's own
 * semantic analysis resolves every name, types every expression and expands function calls.
 *
 * Building the symbols costs far more than compiling a query, so states are cached per schema content.
 */
/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" />
import { kustoLanguage } from '../../../../kql-language/kusto-language.js';
import type { DatabaseSchema, KustoScalarType } from '../compiler-types.js';

type KustoNs = ReturnType<typeof kustoLanguage>;
export type GlobalState = Kusto.Language.GlobalState;

const MAX_CACHED_STATES = 32;
const cache = new Map<string, GlobalState>();
const bySchemaObject = new WeakMap<DatabaseSchema, { key: string; state: GlobalState }>();

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

/** A stable identity for the schema's content (used to key compiled-query caches). */
export function schemaKeyFor(db: DatabaseSchema): string {
  globalStateFor(db);
  return bySchemaObject.get(db)?.key ?? schemaKey(db);
}

/** The analysis state for `db`, cached by schema content (the engine bumps the schema on every change). */
export function globalStateFor(db: DatabaseSchema): GlobalState {
  const known = bySchemaObject.get(db);
  if (known) {
    return known.state;
  }
  const key = schemaKey(db);
  let state = cache.get(key);
  if (!state) {
    state = build(db);
    if (cache.size >= MAX_CACHED_STATES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) {
        cache.delete(oldest);
      }
    }
    cache.set(key, state);
  }
  bySchemaObject.set(db, { key, state });
  return state;
}
