/** `in`, `!in`, `in~`, `!in~`: against a list, a dynamic array or set, or a subquery. */
import { CallNode } from '../ir/call-node.js';
import { InSubqueryNode } from '../ir/in-subquery-node.js';
import type { ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { child, type KNode, listElements, requiredChild } from '../parse/kusto-syntax.js';
import type { LoweringContext, ScalarScope } from './lowering-context.js';
import { coerce, convert } from './scalar-coercion.js';

export function lowerInExpression(
  lc: LoweringContext,
  node: KNode,
  kind: string,
  scope: ScalarScope,
): ScalarNode {
  let left = lc.scalar(requiredChild(node, 'Left'), scope);
  const right = requiredChild(node, 'Right');
  const caseInsensitive = kind === 'InCsExpression' || kind === 'NotInCsExpression';
  const negated = kind.startsWith('Not');
  const elements = listElements(child(right, 'Expressions'));
  if (elements.length === 1 && elements[0].ResultType?.Columns) {
    const relation = lc.tabular(elements[0]);
    return InSubqueryNode.create(left, relation, negated, caseInsensitive && left.type === 'string', 'bool');
  }
  let values = elements.map((e) => lc.scalar(e, scope));
  // `x in (dynamic([1,2]))` lists the array's elements.
  if (
    values.length === 1 &&
    values[0].kind === 'Literal' &&
    values[0].type === 'dynamic' &&
    typeof values[0].value === 'string'
  ) {
    const parsed = JSON.parse(values[0].value) as unknown;
    if (Array.isArray(parsed)) {
      values = parsed.map((v) => jsonLiteral(v));
    }
  }
  // Any other dynamic value (a query parameter, `pack_array(…)`, a column) is a set whose elements are tested.
  const sets = values.filter((v) => v.type === 'dynamic');
  values = values.filter((v) => v.type !== 'dynamic');
  const lt = left.type;
  if (lt === 'dynamic') {
    left = convert(left, values.length > 0 ? values[0].type : 'string');
  }
  const target = left.type;
  values = values.map((v) => coerce(v, target));
  const lowered = caseInsensitive && target === 'string';
  const operand = lowered ? CallNode.create('tolower', [left], 'string') : left;
  const parts: ScalarNode[] = [];
  if (values.length > 0) {
    const listed = lowered ? values.map((v) => CallNode.create('tolower', [v], 'string')) : values;
    parts.push(CallNode.create(kind, [operand, ...listed], 'bool'));
  }
  for (const set of sets) {
    // A constant set (literal or query parameter) becomes a hashed `IN (SELECT …)`; a per-row one a list test.
    const shape = set.kind === 'Literal' ? 'in_dynamic_set' : 'in_dynamic_list';
    const member = CallNode.create(`${shape}/${lowered ? 'lower' : target}`, [operand, set], 'bool');
    parts.push(negated ? CallNode.create('not', [member], 'bool') : member);
  }
  if (parts.length === 0) {
    return LiteralNode.create(negated, 'bool');
  }
  const combine = negated ? 'AndExpression' : 'OrExpression';
  return parts.reduce((acc, p) => CallNode.create(combine, [acc, p], 'bool'));
}

/** A JSON value from a dynamic literal as a typed literal (integers are long, as in Kusto). */
function jsonLiteral(v: unknown): ScalarNode {
  if (typeof v === 'string') {
    return LiteralNode.create(v, 'string');
  }
  if (typeof v === 'boolean') {
    return LiteralNode.create(v, 'bool');
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? LiteralNode.create(BigInt(v), 'long') : LiteralNode.create(v, 'real');
  }
  return LiteralNode.create(v === null ? null : JSON.stringify(v), 'dynamic');
}
