/** `extend` (and `serialize`, which may define columns the same way): new or replaced columns per row. */
import { ColumnNode } from '../../ir/column-node.js';
import type { NamedScalar, RelationNode, ScalarNode, SortKey } from '../../ir/ir-node.js';
import { ProjectNode } from '../../ir/project-node.js';
import { SortNode } from '../../ir/sort-node.js';
import {
  child,
  columnsOf,
  expressionResultName,
  listElements,
  nameText,
  requiredChild,
  syntaxKind,
} from '../../parse/kusto-syntax.js';
import type { LoweringContext, ScalarScope } from '../lowering-context.js';
import { compoundAssignment, multiValueCall } from '../multi-value-call-lowerer.js';
import { isForecastCall } from '../result-schema.js';
import { coerce } from '../scalar-coercion.js';
import { unnamed } from '../syntax-reading.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerExtend: OperatorLowerer = (lc, input, op, columns, outer) => {
  const exprs = listElements(child(op, 'Expressions'));
  const defined = new Map<string, ScalarNode>();
  let base = input;
  const prepare = (value: ScalarNode): ScalarNode => {
    const name = `__prep_${base.columns.length}`;
    const type = value.type === 'struct' ? 'dynamic' : value.type;
    base = ProjectNode.create(
      base,
      [
        ...base.columns.map((c) => ({ name: c.name, expr: ColumnNode.create(c.name, c.type) })),
        { name, expr: value },
      ],
      [...base.columns, { name, type }],
    );
    return ColumnNode.create(name, type);
  };
  const scope: ScalarScope = { ...outer, prepare };
  const inputNames = new Set(input.columns.map((c) => c.name));
  const newNames = columns.map((c) => c.name).filter((n) => !inputNames.has(n));
  for (const e of exprs) {
    const kind = syntaxKind(e);
    if (kind === 'CompoundNamedExpression') {
      compoundAssignment(lc, e, defined, { ...scope, overrides: defined });
      continue;
    }
    if (syntaxKind(unnamed(e)) === 'FunctionCallExpression' && unnamed(e).ResultType?.Columns) {
      // `extend series_fit_line(y)`: one column per value, named by Kusto (series_fit_line_y_slope…);
      // `extend f = series_decompose_forecast(…)` names the first value.
      const parts = multiValueCall(lc, unnamed(e), { ...scope, overrides: defined });
      const values = isForecastCall(unnamed(e))
        ? columnsOf(unnamed(e).ResultType).slice(0, 1)
        : columnsOf(unnamed(e).ResultType);
      values.forEach((c, i) => {
        const name =
          i === 0 && kind === 'SimpleNamedExpression' ? nameText(requiredChild(e, 'Name')) : c.name;
        defined.set(name, parts[i]);
      });
      continue;
    }
    const value = lc.scalar(unnamed(e), { ...scope, overrides: defined });
    let name: string;
    if (kind === 'SimpleNamedExpression') {
      name = nameText(requiredChild(e, 'Name'));
    } else if (syntaxKind(e) === 'NameReference' && inputNames.has(nameText(e))) {
      name = nameText(e);
    } else if (inputNames.has(expressionResultName(e) ?? '')) {
      // `extend abs(x)` is named `x` by Kusto and so replaces x in place, like `extend x = abs(x)`.
      name = expressionResultName(e) ?? '';
    } else {
      // The first of Kusto's new column names (Column1…) not defined yet.
      name = newNames.filter((n) => !defined.has(n))[0] ?? newNames[0];
    }
    defined.set(name, value);
  }
  const outputs = columns.map((c) => ({
    name: c.name,
    expr: coerce(defined.get(c.name) ?? ColumnNode.create(c.name, c.type), c.type),
  }));
  const projected = ProjectNode.create(base, outputs, columns);
  return lc.keepOrder(input, resortAfterWindows(lc, projected, outputs, scope.order, defined));
};

/**
 * Window functions (row_number, prev, next, partitions) leave DuckDB free to emit rows in another order;
 * a serialized input keeps its order in Kusto, so the sort is re-applied on top when its keys survive.
 */
function resortAfterWindows(
  lc: LoweringContext,
  projected: RelationNode,
  outputs: readonly NamedScalar[],
  order: readonly SortKey[] | undefined,
  redefined: ReadonlyMap<string, ScalarNode>,
): RelationNode {
  if (!order || order.length === 0 || !outputs.some((o) => containsWindow(o.expr))) {
    return projected;
  }
  const names = new Set(projected.columns.map((c) => c.name));
  const keysSurvive = order.every(
    (k) => k.expr.kind === 'Column' && names.has(k.expr.name) && !redefined.has(k.expr.name),
  );
  if (!keysSurvive) {
    return projected;
  }
  const sorted = SortNode.create(projected, order, projected.columns);
  lc.setOrder(sorted, order);
  return sorted;
}

function containsWindow(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) {
    return false;
  }
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'Window') {
    return true;
  }
  if (kind === 'ScalarSubquery' || kind === 'InSubquery') {
    return false;
  }
  return Object.values(node).some((v) => (Array.isArray(v) ? v.some(containsWindow) : containsWindow(v)));
}
