/**
 * Kusto.Language's computed types → the engine's scalar types and result schemas. Lowering reads result
 * schemas from the analyzed tree (column names such as `count_` included) rather than re-deriving them.
 */
import { KUSTO_SCALAR_TYPES } from '@kqlgate/kql-language';
import type { KustoScalarType } from '../compiler-types.js';
import type { ColumnSchema } from '../ir/ir-node.js';
import {
  columnsOf,
  type KNode,
  type KType,
  nameText,
  requiredChild,
  syntaxKind,
} from '../parse/kusto-syntax.js';

const SCALAR_TYPES: ReadonlySet<string> = new Set(KUSTO_SCALAR_TYPES);

export function kustoType(type: KType | null | string): KustoScalarType {
  const name = typeof type === 'string' ? type : (type?.Name ?? 'unknown');
  if (name === 'boolean') {
    return 'bool';
  }
  if (name === 'double') {
    return 'real';
  }
  if (SCALAR_TYPES.has(name)) {
    return name as KustoScalarType;
  }
  return 'dynamic';
}

/**
 * Kusto.Language types series_decompose_forecast() as a 4-value tuple (baseline, seasonal, trend, residual)
 * while ADX documents and returns one array (the forecast); the three extra columns it adds to result
 * schemas are dropped here so schemas match the service.
 */
export const FORECAST_PHANTOM = /^series_decompose_forecast_.+_(seasonal|trend|residual)$/;

export function schemaOf(type: KType | null): ColumnSchema[] {
  return columnsOf(type)
    .filter((c) => !FORECAST_PHANTOM.test(c.name))
    .map((c) => ({ name: c.name, type: kustoType(c.type) }));
}

export function isForecastCall(node: KNode): boolean {
  return (
    syntaxKind(node) === 'FunctionCallExpression' &&
    nameText(requiredChild(node, 'Name')) === 'series_decompose_forecast'
  );
}
