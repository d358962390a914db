/** `sort`/`order` and `top`: the rows in order; the keys are remembered for window functions downstream. */
import type { ColumnSchema, RelationNode, SortKey } from '../../ir/ir-node.js';
import { LimitNode } from '../../ir/limit-node.js';
import { SortNode } from '../../ir/sort-node.js';
import { child, type KNode, listElements, requiredChild, syntaxKind } from '../../parse/kusto-syntax.js';
import type { LoweringContext } from '../lowering-context.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerSort: OperatorLowerer = (lc, input, op, columns) =>
  sort(lc, input, listElements(child(op, 'Expressions')), columns);

export const lowerTop: OperatorLowerer = (lc, input, op, columns, scope) => {
  const sorted = sort(lc, input, [requiredChild(op, 'ByExpression')], columns);
  return lc.keepOrder(
    sorted,
    LimitNode.create(sorted, lc.scalar(requiredChild(op, 'Expression'), scope), columns),
  );
};

function sort(
  lc: LoweringContext,
  input: RelationNode,
  exprs: KNode[],
  columns: ColumnSchema[],
): RelationNode {
  const keys: SortKey[] = exprs.map((e) => {
    let expr = e;
    let descending = true;
    let nullsFirst: boolean | undefined;
    if (syntaxKind(e) === 'OrderedExpression') {
      expr = requiredChild(e, 'Expression');
      const ordering = child(e, 'Ordering');
      if (ordering) {
        const ascDesc = child(ordering, 'AscOrDescKeyword');
        if (ascDesc && ascDesc.Text.toLowerCase() === 'asc') {
          descending = false;
        }
        const nulls = child(ordering, 'NullsClause');
        const firstLast = nulls ? child(nulls, 'FirstOrLastKeyword') : null;
        if (firstLast) {
          nullsFirst = firstLast.Text.toLowerCase() === 'first';
        }
      }
    }
    // ADX defaults: descending → nulls last, ascending → nulls first.
    return { expr: lc.scalar(expr, {}), descending, nullsFirst: nullsFirst ?? !descending };
  });
  const sorted = SortNode.create(input, keys, columns);
  lc.setOrder(sorted, keys);
  return sorted;
}
