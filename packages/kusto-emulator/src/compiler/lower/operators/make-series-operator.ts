/** `make-series … on axis from … to … step …`: aggregates per bin, as arrays with defaults for empty bins. */
import type { ScalarNode } from '../../ir/ir-node.js';
import { LiteralNode } from '../../ir/literal-node.js';
import { MakeSeriesNode } from '../../ir/make-series-node.js';
import { child, listElements, requiredChild, syntaxKind } from '../../parse/kusto-syntax.js';
import { lowerAggregate } from '../aggregate-call-lowerer.js';
import { coerce } from '../scalar-coercion.js';
import { namedParameter, unnamed } from '../syntax-reading.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerMakeSeries: OperatorLowerer = (lc, input, op, columns) => {
  const onClause = requiredChild(op, 'OnClause');
  const axis = lc.scalar(requiredChild(onClause, 'Expression'), {});
  const axisType = axis.type;
  const range = requiredChild(op, 'RangeClause');
  if (syntaxKind(range) !== 'MakeSeriesFromToStepClause') {
    throw lc.unsupported('make-series without `from … to … step …`', range);
  }
  const clausePart = (clauseName: string): ScalarNode | undefined => {
    const c = child(range, clauseName);
    return c ? coerce(lc.scalar(requiredChild(c, 'Expression'), {}), axisType) : undefined;
  };
  const start = clausePart('MakeSeriesFromClause');
  const stop = clausePart('MakeSeriesToClause');
  const stepClause = requiredChild(range, 'MakeSeriesStepClause');
  const step = lc.scalar(requiredChild(stepClause, 'Expression'), {});
  if (!start || !stop) {
    throw lc.unsupported('make-series without explicit from/to', range);
  }
  const byClause = child(op, 'ByClause');
  const byExprs = byClause ? listElements(child(byClause, 'Expressions')) : [];
  const groupBy = byExprs.map((e, i) => ({ name: columns[i].name, expr: lc.scalar(unnamed(e), {}) }));
  const aggs = listElements(child(op, 'Aggregates'));
  const series = aggs.map((a, i) => {
    const expr = requiredChild(a, 'Expression');
    const defaultClause = child(a, 'DefaultExpression');
    const aggregate = lowerAggregate(lc, unnamed(expr));
    const type = aggregate.type;
    const defaultValue = defaultClause
      ? coerce(lc.scalar(requiredChild(defaultClause, 'Expression'), {}), type)
      : LiteralNode.create(type === 'long' || type === 'int' ? 0n : type === 'real' ? 0 : null, type);
    return { name: columns[byExprs.length + i].name, aggregate, defaultValue };
  });
  const axisName = columns[byExprs.length + aggs.length].name;
  return MakeSeriesNode.create(
    input,
    axis,
    start,
    stop,
    step,
    axisType,
    groupBy,
    series,
    axisName,
    (namedParameter(op, 'kind') ?? '').toLowerCase() === 'nonempty',
    columns,
  );
};
