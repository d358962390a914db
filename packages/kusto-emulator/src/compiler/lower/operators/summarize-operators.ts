/** `summarize`, `count` and `distinct`: groups of rows → one row each. */
import { AggregateNode } from '../../ir/aggregate-node.js';
import { CallNode } from '../../ir/call-node.js';
import { ColumnNode } from '../../ir/column-node.js';
import { DistinctNode } from '../../ir/distinct-node.js';
import type { NamedScalar, ScalarNode } from '../../ir/ir-node.js';
import { OrdinalNode } from '../../ir/ordinal-node.js';
import { ProjectNode } from '../../ir/project-node.js';
import {
  child,
  columnsOf,
  listElements,
  nameText,
  requiredChild,
  syntaxKind,
} from '../../parse/kusto-syntax.js';
import { isAggregateCall, lowerAggregate, percentFraction } from '../aggregate-call-lowerer.js';
import { kustoType } from '../result-schema.js';
import { coerce } from '../scalar-coercion.js';
import { callArguments, describe, unnamed } from '../syntax-reading.js';
import type { OperatorLowerer } from './operator-lowerer.js';

/** Aggregates that yield one column per argument after the first (`percentiles(x, 50, 95)`). */
const PER_ARGUMENT_AGGREGATES = new Set(['percentiles', 'percentilesw']);

export const lowerSummarize: OperatorLowerer = (lc, input, op, columns) => {
  const byClause = child(op, 'ByClause');
  const byExprs = byClause ? listElements(child(byClause, 'Expressions')) : [];
  const aggExprs = listElements(child(op, 'Aggregates'));
  const groupBy: NamedScalar[] = byExprs.map((e, i) => ({
    name: columns[i].name,
    expr: coerce(lc.scalar(unnamed(e), {}), columns[i].type),
  }));
  let position = byExprs.length;
  const aggregates: NamedScalar[] = [];
  const finals: NamedScalar[] = groupBy.map((g) => ({
    name: g.name,
    expr: ColumnNode.create(g.name, g.expr.type),
  }));
  let needsFinalProjection = false;
  aggExprs.forEach((agg, index) => {
    const call = unnamed(agg);
    const width = call.ResultType?.Columns ? call.ResultType.Columns.Count : 1;
    const outputs = columns.slice(position, position + width);
    position += width;
    const fname = syntaxKind(call) === 'FunctionCallExpression' ? nameText(requiredChild(call, 'Name')) : '';
    if (fname === 'arg_max' || fname === 'arg_min') {
      needsFinalProjection = true;
      const structName = `__${fname}_${index}`;
      const args = callArguments(call);
      const target = lc.scalar(args[0], {});
      // `arg_max(t, *)` takes the input columns Kusto lists; `arg_max(t, a, b = c)` the given expressions.
      const sources = args.slice(1).some((a) => syntaxKind(a) === 'StarExpression')
        ? columnsOf(call.ResultType).map((c, i) =>
            i === 0 ? target : ColumnNode.create(c.name, kustoType(c.type)),
          )
        : [target, ...args.slice(1).map((a) => lc.scalar(unnamed(a), {}))];
      aggregates.push({
        name: structName,
        expr: CallNode.create(`${fname}_struct`, [target, ...sources], 'struct'),
      });
      outputs.forEach((o, i) => {
        finals.push({
          name: o.name,
          expr: coerce(
            CallNode.create(
              'struct_field',
              [ColumnNode.create(structName, 'struct'), OrdinalNode.create(i + 1)],
              o.type,
            ),
            o.type,
          ),
        });
      });
      return;
    }
    if (PER_ARGUMENT_AGGREGATES.has(fname)) {
      const args = callArguments(call);
      const value = lc.scalar(args[0], {});
      args.slice(1).forEach((p, i) => {
        const o = outputs[i];
        const fraction = percentFraction(lc, p);
        aggregates.push({
          name: o.name,
          expr: coerce(CallNode.create('percentile', [value, fraction], o.type), o.type),
        });
        finals.push({ name: o.name, expr: ColumnNode.create(o.name, o.type) });
      });
      return;
    }
    const o = outputs[0];
    if (!o) {
      throw lc.unsupported(`aggregate ${describe(agg)}`, agg);
    }
    if (syntaxKind(call) === 'FunctionCallExpression' && isAggregateCall(call)) {
      aggregates.push({ name: o.name, expr: coerce(lowerAggregate(lc, call), o.type) });
      finals.push({ name: o.name, expr: ColumnNode.create(o.name, o.type) });
      return;
    }
    // An expression over aggregates (`100.0 * countif(ok) / count()`): aggregate first, compute after.
    needsFinalProjection = true;
    const collect = (aggregate: ScalarNode): ScalarNode => {
      const name = `__agg_${index}_${aggregates.length}`;
      aggregates.push({ name, expr: aggregate });
      return ColumnNode.create(name, aggregate.type);
    };
    finals.push({ name: o.name, expr: coerce(lc.scalar(call, { collect }), o.type) });
  });
  const aggregate = AggregateNode.create(
    input,
    groupBy,
    aggregates,
    needsFinalProjection
      ? [
          ...groupBy.map((g) => ({
            name: g.name,
            type: columns.find((c) => c.name === g.name)?.type ?? 'dynamic',
          })),
          ...aggregates.map((a) => ({
            name: a.name,
            type: a.expr.type === 'struct' ? ('dynamic' as const) : a.expr.type,
          })),
        ]
      : columns,
  );
  return needsFinalProjection ? ProjectNode.create(aggregate, finals, columns) : aggregate;
};

export const lowerCount: OperatorLowerer = (_lc, input, _op, columns) =>
  AggregateNode.create(
    input,
    [],
    [{ name: columns[0].name, expr: CallNode.create('count', [], 'long') }],
    columns,
  );

export const lowerDistinct: OperatorLowerer = (lc, input, op, columns) => {
  const exprs = listElements(child(op, 'Expressions'));
  if (exprs.length === 1 && syntaxKind(exprs[0]) === 'StarExpression') {
    return DistinctNode.create(input, columns);
  }
  const groupBy = exprs.map((e, i) => ({ name: columns[i].name, expr: lc.scalar(unnamed(e), {}) }));
  return AggregateNode.create(input, groupBy, [], columns);
};
