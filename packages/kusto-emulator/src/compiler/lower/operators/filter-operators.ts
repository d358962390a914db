/** Operators that keep some of the input's rows as they are: `where`, `take`, `sample`. */
import { FilterNode } from '../../ir/filter-node.js';
import { LimitNode } from '../../ir/limit-node.js';
import { SampleNode } from '../../ir/sample-node.js';
import { requiredChild } from '../../parse/kusto-syntax.js';
import { convert } from '../scalar-coercion.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerFilter: OperatorLowerer = (lc, input, op, _columns, scope) => {
  const value = lc.scalar(requiredChild(op, 'Condition'), scope);
  const predicate = value.type === 'dynamic' ? convert(value, 'bool') : value;
  return lc.keepOrder(input, FilterNode.create(input, predicate, input.columns));
};

export const lowerTake: OperatorLowerer = (lc, input, op, _columns, scope) =>
  lc.keepOrder(
    input,
    LimitNode.create(input, lc.scalar(requiredChild(op, 'Expression'), scope), input.columns),
  );

export const lowerSample: OperatorLowerer = (lc, input, op, columns, scope) =>
  SampleNode.create(input, lc.scalar(requiredChild(op, 'Expression'), scope), columns);
