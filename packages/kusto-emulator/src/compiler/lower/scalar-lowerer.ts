/**
 * Scalar expressions: names, literals, operators, dynamic member access, `toscalar()`. Function calls,
 * literals, term matching and `in` have modules of their own; this one dispatches by syntax kind.
 */
import { KqlCompileError } from '../kql-compile-error.js';
import { CallNode } from '../ir/call-node.js';
import { CaseNode } from '../ir/case-node.js';
import { ColumnNode } from '../ir/column-node.js';
import type { ScalarNode } from '../ir/ir-node.js';
import { LimitNode } from '../ir/limit-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { ProjectNode } from '../ir/project-node.js';
import { ScalarSubqueryNode } from '../ir/scalar-subquery-node.js';
import { ValuesNode } from '../ir/values-node.js';
import { type KNode, nameText, requiredChild, symbolKind, syntaxKind } from '../parse/kusto-syntax.js';
import { resolveFunction } from '../sql/function-map.js';
import { lowerFunctionCall } from './function-call-lowerer.js';
import { lowerInExpression } from './in-expression-lowerer.js';
import { lowerLiteral } from './literal-lowerer.js';
import type { LoweringContext, ScalarScope } from './lowering-context.js';
import { kustoType } from './result-schema.js';
import { coerce, convert } from './scalar-coercion.js';
import { describe } from './syntax-reading.js';
import { isTermOperator, lowerHasAnyAll, lowerTermOperator } from './text-match-lowerer.js';

const BINARY_OPERATORS = new Set([
  'AddExpression',
  'SubtractExpression',
  'MultiplyExpression',
  'DivideExpression',
  'ModuloExpression',
  'LessThanExpression',
  'LessThanOrEqualExpression',
  'GreaterThanExpression',
  'GreaterThanOrEqualExpression',
  'EqualExpression',
  'NotEqualExpression',
  'AndExpression',
  'OrExpression',
  'EqualTildeExpression',
  'BangTildeExpression',
  'ContainsExpression',
  'ContainsCsExpression',
  'NotContainsExpression',
  'NotContainsCsExpression',
  'StartsWithExpression',
  'StartsWithCsExpression',
  'NotStartsWithExpression',
  'NotStartsWithCsExpression',
  'EndsWithExpression',
  'EndsWithCsExpression',
  'NotEndsWithExpression',
  'NotEndsWithCsExpression',
  'MatchesRegexExpression',
  'LikeExpression',
  'LikeCsExpression',
  'NotLikeExpression',
  'NotLikeCsExpression',
]);

export function lowerScalar(lc: LoweringContext, node: KNode, scope: ScalarScope): ScalarNode {
  const kind = syntaxKind(node);
  switch (kind) {
    case 'ParenthesizedExpression':
      return lc.scalar(requiredChild(node, 'Expression'), scope);
    case 'SimpleNamedExpression':
      return lc.scalar(requiredChild(node, 'Expression'), scope);
    case 'NameReference':
      return nameReference(lc, node, scope);
    case 'BooleanLiteralExpression':
    case 'IntLiteralExpression':
    case 'LongLiteralExpression':
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression':
    case 'DateTimeLiteralExpression':
    case 'TimespanLiteralExpression':
    case 'GuidLiteralExpression':
    case 'StringLiteralExpression':
    case 'CompoundStringLiteralExpression':
    case 'NullLiteralExpression':
    case 'DynamicExpression':
      return lowerLiteral(lc, node);
    case 'UnaryMinusExpression':
    case 'UnaryPlusExpression': {
      const operand = lc.scalar(requiredChild(node, 'Expression'), scope);
      return CallNode.create(kind, [operand], operand.type);
    }
    case 'InExpression':
    case 'InCsExpression':
    case 'NotInExpression':
    case 'NotInCsExpression':
      return lowerInExpression(lc, node, kind, scope);
    case 'BetweenExpression':
    case 'NotBetweenExpression': {
      const left = lc.scalar(requiredChild(node, 'Left'), scope);
      const couple = requiredChild(node, 'Right');
      const low = lc.scalar(requiredChild(couple, 'First'), scope);
      let high = lc.scalar(requiredChild(couple, 'Second'), scope);
      const t = left.type;
      if (t === 'datetime' && high.type === 'timespan') {
        high = CallNode.create('AddExpression', [low, high], 'datetime');
      }
      return CallNode.create(
        kind,
        [
          left,
          coerce(low, t === 'dynamic' ? low.type : t),
          coerce(high, t === 'dynamic' ? high.type : t),
        ].map((a) => (a.type === 'dynamic' ? convert(a, low.type) : a)),
        'bool',
      );
    }
    case 'HasAnyExpression':
    case 'HasAllExpression':
      return lowerHasAnyAll(lc, node, kind, scope);
    case 'PathExpression':
    case 'ElementExpression':
      return dynamicAccess(lc, node, scope);
    case 'FunctionCallExpression':
      return lowerFunctionCall(lc, node, scope);
    case 'ToScalarExpression': {
      // ADX evaluates toscalar() once, outside any row: names bound to a row's values cannot reach inside.
      const inner = requiredChild(node, 'Expression');
      // `toscalar(new_guid())`: a scalar is evaluated once as well, as a one-row relation.
      const relation = lc.insideToscalar(() =>
        inner.ResultType?.Columns
          ? lc.tabular(inner)
          : ProjectNode.create(
              ValuesNode.create([[]], []),
              [{ name: 'print_0', expr: lc.scalar(inner, {}) }],
              [{ name: 'print_0', type: kustoType(inner.ResultType) }],
            ),
      );
      const first = relation.columns[0];
      return ScalarSubqueryNode.create(
        ProjectNode.create(
          LimitNode.create(relation, LiteralNode.create(1n, 'long'), relation.columns),
          [{ name: first.name, expr: ColumnNode.create(first.name, first.type) }],
          [first],
        ),
        first.type,
      );
    }
    default:
      if (BINARY_OPERATORS.has(kind)) {
        return binary(lc, node, kind, scope);
      }
      if (isTermOperator(kind)) {
        return lowerTermOperator(lc, node, kind, scope);
      }
      throw lc.unsupported(`expression ${describe(node)}`, node);
  }
}

function nameReference(lc: LoweringContext, node: KNode, scope: ScalarScope): ScalarNode {
  const name = nameText(node);
  const symbol = node.ReferencedSymbol;
  const sk = symbol ? symbolKind(symbol) : '';
  if (sk === 'Column') {
    const override = scope.overrides?.get(symbol!.Name);
    if (override) {
      return override;
    }
    return ColumnNode.create(symbol!.Name, kustoType(node.ResultType));
  }
  const binding = lc.lookup(name);
  if (binding?.kind === 'scalar') {
    if (lc.isOutsideToscalar(name) && dependsOnRow(binding.node)) {
      throw new KqlCompileError(
        'SEMANTIC',
        `'toscalar': can't use '${name}' as it is defined outside its row-context scope.`,
        lc.position(node),
      );
    }
    return binding.node;
  }
  if (sk === 'Function') {
    return lowerFunctionCall(lc, node, scope);
  }
  throw lc.unsupported(`reference to '${name}'`, node);
}

function binary(lc: LoweringContext, node: KNode, kind: string, scope: ScalarScope): ScalarNode {
  let left = lc.scalar(requiredChild(node, 'Left'), scope);
  let right = lc.scalar(requiredChild(node, 'Right'), scope);
  const lt = left.type;
  const rt = right.type;
  // A dynamic value meeting a typed one is read as that type (Kusto compares the underlying value).
  if (lt === 'dynamic' && rt !== 'dynamic') {
    left = convert(left, rt === 'int' || rt === 'long' ? 'real' : rt);
  } else if (rt === 'dynamic' && lt !== 'dynamic') {
    right = convert(right, lt === 'int' || lt === 'long' ? 'real' : lt);
  } else if (
    lt === 'dynamic' &&
    rt === 'dynamic' &&
    kind !== 'EqualExpression' &&
    kind !== 'NotEqualExpression'
  ) {
    left = convert(left, 'string');
    right = convert(right, 'string');
  }
  const type = kustoType(node.ResultType);
  if (kind === 'EqualExpression' || kind === 'NotEqualExpression') {
    const isNull = (n: ScalarNode): boolean => n.kind === 'Literal' && n.value === null;
    const other = isNull(right) ? left : isNull(left) ? right : undefined;
    if (other) {
      return CaseNode.create(
        [{ when: CallNode.create('isnull', [other], 'bool'), then: LiteralNode.create(null, 'bool') }],
        LiteralNode.create(kind === 'NotEqualExpression', 'bool'),
        'bool',
      );
    }
  }
  const resolved = resolveFunction(kind, [left.type, right.type]);
  if (!resolved) {
    throw lc.unsupported(`operator ${describe(node)}`, node);
  }
  return CallNode.create(resolved.key, [left, right], type === 'dynamic' ? left.type : type);
}

function dynamicAccess(lc: LoweringContext, node: KNode, scope: ScalarScope): ScalarNode {
  // Collect the whole chain `d.a['b'][0]` into one JSON path, bound as a parameter.
  const steps: string[] = [];
  let current = node;
  for (;;) {
    const k = syntaxKind(current);
    if (k === 'PathExpression') {
      steps.unshift(`.${JSON.stringify(nameText(requiredChild(current, 'Selector')))}`);
      current = requiredChild(current, 'Expression');
    } else if (k === 'ElementExpression') {
      const selector = requiredChild(requiredChild(current, 'Selector'), 'Expression');
      const v = selector.ConstantValue;
      const literalIndex = /^-?\d+$/.test(selector.toString().trim())
        ? Number(selector.toString().trim())
        : undefined;
      if (typeof v === 'string') {
        steps.unshift(`.${JSON.stringify(v)}`);
      } else if (literalIndex !== undefined) {
        steps.unshift(literalIndex >= 0 ? `[${literalIndex}]` : `[#${literalIndex}]`);
      } else {
        throw lc.unsupported('dynamic element access with a non-constant index', selector);
      }
      current = requiredChild(current, 'Expression');
    } else {
      break;
    }
  }
  const base = lc.scalar(current, scope);
  if (base.type !== 'dynamic') {
    throw lc.unsupported(`member access on ${base.type}`, node);
  }
  return CallNode.create('json_path', [base, LiteralNode.create(`$${steps.join('')}`, 'string')], 'dynamic');
}

/**
 * Whether a scalar's value depends on the current row: it reads a column. Subqueries are self-contained (their
 * columns are their own relation's), so the walk does not enter them.
 */
function dependsOnRow(node: unknown): boolean {
  if (Array.isArray(node)) {
    return node.some(dependsOnRow);
  }
  if (typeof node !== 'object' || node === null) {
    return false;
  }
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'Column') {
    return true;
  }
  if (kind === 'ScalarSubquery' || kind === 'InSubquery') {
    return false;
  }
  return Object.values(node).some(dependsOnRow);
}
