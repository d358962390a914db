/**
 * Functions that return several values (series_fit_line, series_stats, series_decompose…): one IR
 * expression per value, in Kusto's order, and the `(a, b) = f(…)` assignments that name them.
 */
import { CallNode } from '../ir/call-node.js';
import type { IrType, ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import {
  child,
  columnsOf,
  type KNode,
  listElements,
  nameText,
  requiredChild,
} from '../parse/kusto-syntax.js';
import type { LoweringContext, ScalarScope } from './lowering-context.js';
import { FORECAST_PHANTOM } from './result-schema.js';
import { coerce } from './scalar-coercion.js';
import { callArguments } from './syntax-reading.js';

export function multiValueCall(lc: LoweringContext, node: KNode, scope: ScalarScope): ScalarNode[] {
  const name = nameText(child(node, 'Name') ?? node);
  const argNodes = callArguments(node);
  const args = argNodes.map((n) => lc.scalar(n, scope));
  const series = args[0];
  const field = (macro: string, key: string, type: IrType): ScalarNode =>
    CallNode.create(
      'struct_key',
      [CallNode.create(macro, [series], 'struct'), LiteralNode.create(key, 'string')],
      type,
    );
  switch (name) {
    case 'series_fit_line':
      return [
        field('kql_fit_line', 'rsquare', 'real'),
        field('kql_fit_line', 'slope', 'real'),
        field('kql_fit_line', 'variance', 'real'),
        field('kql_fit_line', 'rvariance', 'real'),
        field('kql_fit_line', 'interception', 'real'),
        field('kql_fit_line', 'line_fit', 'dynamic'),
      ];
    case 'series_stats':
      return [
        field('kql_stats', 'min', 'real'),
        field('kql_stats', 'min_idx', 'long'),
        field('kql_stats', 'max', 'real'),
        field('kql_stats', 'max_idx', 'long'),
        field('kql_stats', 'avg', 'real'),
        field('kql_stats', 'stdev', 'real'),
        field('kql_stats', 'variance', 'real'),
      ];
    case 'series_decompose_forecast': {
      // The trailing `points` are left out of learning and the baseline extends over them.
      const points = coerce(args[1], 'long');
      const seasonality = args[2] ? coerce(args[2], 'long') : LiteralNode.create(-1n, 'long');
      const trend = args[3] ?? LiteralNode.create('linefit', 'string');
      refuseThreshold(lc, argNodes[4]);
      const part = (key: string): ScalarNode =>
        CallNode.create(
          'series_decompose_part',
          [series, seasonality, trend, points, LiteralNode.create(key, 'string')],
          'dynamic',
        );
      return [part('baseline'), part('seasonal'), part('trend'), part('residual')];
    }
    case 'series_decompose': {
      const seasonality = args[1] ? coerce(args[1], 'long') : LiteralNode.create(-1n, 'long');
      const trend = args[2] ?? LiteralNode.create('avg', 'string');
      const test = args[3] ? coerce(args[3], 'long') : LiteralNode.create(0n, 'long');
      refuseThreshold(lc, argNodes[4]);
      const part = (key: string): ScalarNode =>
        CallNode.create(
          'series_decompose_part',
          [series, seasonality, trend, test, LiteralNode.create(key, 'string')],
          'dynamic',
        );
      return [part('baseline'), part('seasonal'), part('trend'), part('residual')];
    }
    default:
      throw lc.unsupported(`function ${name}()`, node);
  }
}

/** A seasonality threshold only matters to auto-detection; anything but the default is refused. */
function refuseThreshold(lc: LoweringContext, node: KNode | undefined): void {
  if (node && !(typeof node.ConstantValue === 'number' && node.ConstantValue === 0.6)) {
    throw lc.unsupported('a seasonality threshold other than the default 0.6', node);
  }
}

/** `extend (a, b) = series_fit_line(y)`-style assignments of functions that return several values. */
export function compoundAssignment(
  lc: LoweringContext,
  e: KNode,
  defined: Map<string, ScalarNode>,
  scope: ScalarScope,
): void {
  const names = listElements(child(requiredChild(e, 'Names'), 'Names')).map((n) => nameText(n));
  const call = requiredChild(e, 'Expression');
  const parts = multiValueCall(lc, call, scope);
  // Values without a name in the tuple keep Kusto's default names (series_stats_x_stdev…).
  const defaults = columnsOf(call.ResultType).map((c) => c.name);
  parts.forEach((part, i) => {
    const name = names[i] ?? defaults[i];
    if (!FORECAST_PHANTOM.test(name)) {
      defined.set(name, part);
    }
  });
}
