/** Aggregation function calls (`count()`, `avg(x)`, `percentile(x, 95)`…) inside summarize and make-series. */
import { CallNode } from '../ir/call-node.js';
import type { ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { type KNode, nameText, requiredChild, syntaxKind } from '../parse/kusto-syntax.js';
import { resolveFunction } from '../sql/function-map.js';
import type { LoweringContext } from './lowering-context.js';
import { kustoType } from './result-schema.js';
import { dynamicOf } from './scalar-coercion.js';
import { callArguments, describe } from './syntax-reading.js';

const AGGREGATE_NAMES = new Set([
  'count',
  'countif',
  'sum',
  'sumif',
  'avg',
  'avgif',
  'min',
  'max',
  'minif',
  'maxif',
  'dcount',
  'dcountif',
  'count_distinct',
  'count_distinctif',
  'stdev',
  'stdevif',
  'stdevp',
  'variance',
  'varianceif',
  'variancep',
  'make_list',
  'make_list_if',
  'make_list_with_nulls',
  'make_set',
  'make_set_if',
  'make_bag',
  'any',
  'anyif',
  'take_any',
  'take_anyif',
  'percentile',
]);

export function isAggregateCall(call: KNode): boolean {
  const name = nameText(requiredChild(call, 'Name'));
  if (name === 'percentile') {
    return true;
  }
  const symbol = call.ReferencedSymbol as unknown as { IsAggregate?: boolean } | null;
  if (symbol?.IsAggregate) {
    return true;
  }
  return resolveFunction(name, [])?.mapping.aggregate === true || AGGREGATE_NAMES.has(name);
}

/** A percentile argument (0–100) as the fraction DuckDB's quantile takes. */
export function percentFraction(lc: LoweringContext, p: KNode): ScalarNode {
  const v = p.ConstantValue;
  if (typeof v === 'number') {
    return LiteralNode.create(v / 100, 'real');
  }
  return CallNode.create('DivideExpression', [lc.scalar(p, {}), LiteralNode.create(100, 'real')], 'real');
}

export function lowerAggregate(lc: LoweringContext, call: KNode): ScalarNode {
  if (syntaxKind(call) !== 'FunctionCallExpression') {
    throw lc.unsupported(`aggregate expression ${describe(call)}`, call);
  }
  const name = nameText(requiredChild(call, 'Name'));
  const argNodes = callArguments(call);
  const type = kustoType(call.ResultType);
  if (name === 'percentile') {
    return CallNode.create(
      'percentile',
      [lc.scalar(argNodes[0], {}), percentFraction(lc, argNodes[1])],
      type,
    );
  }
  // dcount's accuracy level only tunes ADX's estimator; counts here are exact.
  const used =
    name === 'dcount' ? argNodes.slice(0, 1) : name === 'dcountif' ? argNodes.slice(0, 2) : argNodes;
  const args = used.map((a) => lc.scalar(a, {}));
  // Lists and bags hold dynamic values: datetimes, timespans and guids enter them in Kusto's text forms.
  if (name.startsWith('make_list') || name.startsWith('make_set')) {
    const t = args[0]?.type;
    if (t === 'datetime' || t === 'timespan' || t === 'guid' || t === 'decimal') {
      args[0] = dynamicOf(args[0]);
    }
  }
  const resolved = resolveFunction(
    name,
    args.map((a) => a.type),
  );
  if (!resolved?.mapping.aggregate) {
    throw lc.unsupported(`aggregation function ${name}()`, call);
  }
  return CallNode.create(resolved.key, args, type);
}
