/** `T | invoke f(a, b)`: calls the tabular function `f` with `T` as its first (tabular) argument. */
import { requiredChild, syntaxKind } from '../../parse/kusto-syntax.js';
import { expandTabularFunction } from '../function-expansion.js';
import { callArguments, describe } from '../syntax-reading.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerInvoke: OperatorLowerer = (lc, input, op) => {
  const call = requiredChild(op, 'Function');
  if (syntaxKind(call) !== 'FunctionCallExpression') {
    throw lc.unsupported(`invoke of ${describe(call)}`, op);
  }
  return expandTabularFunction(lc, call, callArguments(call), input);
};
