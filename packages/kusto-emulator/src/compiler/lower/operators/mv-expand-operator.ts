/** `mv-expand`: one row per element of dynamic arrays (or bag entries), with `limit` and `with_itemindex`. */
import { MvExpandNode } from '../../ir/mv-expand-node.js';
import { child, listElements, nameText, requiredChild, syntaxKind } from '../../parse/kusto-syntax.js';
import { namedParameter, unnamed } from '../syntax-reading.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerMvExpand: OperatorLowerer = (lc, input, op, columns) => {
  const expansions = listElements(child(op, 'Expressions')).map((e) => {
    const inner = requiredChild(e, 'Expression');
    const name =
      syntaxKind(inner) === 'SimpleNamedExpression'
        ? nameText(requiredChild(inner, 'Name'))
        : nameText(unnamed(inner));
    const type = columns.find((c) => c.name === name)?.type ?? 'dynamic';
    return { name, expr: lc.scalar(unnamed(inner), {}), type };
  });
  const limitClause = child(op, 'LimitClause');
  const limit = limitClause ? lc.scalar(requiredChild(limitClause, 'Expression'), {}) : undefined;
  const itemIndex = namedParameter(op, 'with_itemindex');
  const bagAsArray = (namedParameter(op, 'kind') ?? 'bag').toLowerCase() === 'array';
  return MvExpandNode.create(input, expansions, limit, itemIndex, bagAsArray, columns);
};
