/** `has`, `hasprefix`, `hassuffix` (and negated, case-sensitive forms), `has_any`, `has_all`. */
import { CallNode } from '../ir/call-node.js';
import type { ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { child, type KNode, listElements, requiredChild } from '../parse/kusto-syntax.js';
import type { LoweringContext, ScalarScope } from './lowering-context.js';
import { stringOf } from './scalar-coercion.js';
import { describe } from './syntax-reading.js';
import { termPattern, type TermMatch } from './term-pattern.js';

const TERM_OPERATORS: Record<string, { match: TermMatch; cs: boolean; negated: boolean }> = {
  HasExpression: { match: 'has', cs: false, negated: false },
  HasCsExpression: { match: 'has', cs: true, negated: false },
  NotHasExpression: { match: 'has', cs: false, negated: true },
  NotHasCsExpression: { match: 'has', cs: true, negated: true },
  HasPrefixExpression: { match: 'hasprefix', cs: false, negated: false },
  HasPrefixCsExpression: { match: 'hasprefix', cs: true, negated: false },
  NotHasPrefixExpression: { match: 'hasprefix', cs: false, negated: true },
  NotHasPrefixCsExpression: { match: 'hasprefix', cs: true, negated: true },
  HasSuffixExpression: { match: 'hassuffix', cs: false, negated: false },
  HasSuffixCsExpression: { match: 'hassuffix', cs: true, negated: false },
  NotHasSuffixExpression: { match: 'hassuffix', cs: false, negated: true },
  NotHasSuffixCsExpression: { match: 'hassuffix', cs: true, negated: true },
};

export function isTermOperator(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(TERM_OPERATORS, kind);
}

export function lowerTermOperator(
  lc: LoweringContext,
  node: KNode,
  kind: string,
  scope: ScalarScope,
): ScalarNode {
  const op = TERM_OPERATORS[kind];
  const left = stringOf(lc.scalar(requiredChild(node, 'Left'), scope));
  const rightNode = requiredChild(node, 'Right');
  if (!(rightNode.IsConstant && typeof rightNode.ConstantValue === 'string')) {
    // A term known only at run time (a query parameter, a column): the pattern is built in SQL.
    const term = stringOf(lc.scalar(rightNode, scope));
    const key = `term_${op.match}${op.cs ? '_cs' : ''}`;
    const match = CallNode.create(key, [left, term], 'bool');
    return op.negated ? CallNode.create('not', [match], 'bool') : match;
  }
  const pattern = LiteralNode.create(termPattern(rightNode.ConstantValue, op.match, op.cs), 'string');
  return CallNode.create(op.negated ? 'regex_not_match' : 'regex_match', [left, pattern], 'bool');
}

export function lowerHasAnyAll(
  lc: LoweringContext,
  node: KNode,
  kind: string,
  scope: ScalarScope,
): ScalarNode {
  const left = stringOf(lc.scalar(requiredChild(node, 'Left'), scope));
  const terms = listElements(child(requiredChild(node, 'Right'), 'Expressions'));
  const parts = terms.map((t) => {
    if (!(t.IsConstant && typeof t.ConstantValue === 'string')) {
      throw lc.unsupported(`${describe(node)} with non-constant terms`, t);
    }
    return CallNode.create(
      'regex_match',
      [left, LiteralNode.create(termPattern(t.ConstantValue, 'has', false), 'string')],
      'bool',
    );
  });
  if (parts.length === 0) {
    return LiteralNode.create(false, 'bool');
  }
  const combine = kind === 'HasAnyExpression' ? 'OrExpression' : 'AndExpression';
  return parts.reduce((acc, p) => CallNode.create(combine, [acc, p], 'bool'));
}
