/**
 * Functions over the serialized row order: row_number, prev/next, row_cumsum, row_rank_dense, row_rank_min.
 * A restart condition splits the rows into groups; as the condition itself reads the order (prev()), the
 * groups are computed into helper columns a level below (`ScalarScope.prepare`, only inside `extend`).
 */
import { CallNode } from '../ir/call-node.js';
import { CaseNode } from '../ir/case-node.js';
import type { ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { WindowNode } from '../ir/window-node.js';
import type { KNode } from '../parse/kusto-syntax.js';
import { resolveFunction } from '../sql/function-map.js';
import type { LoweringContext, ScalarScope } from './lowering-context.js';
import { asBool, coerce } from './scalar-coercion.js';

export const WINDOW_FUNCTIONS: ReadonlySet<string> = new Set([
  'row_number',
  'prev',
  'next',
  'row_cumsum',
  'row_rank_dense',
  'row_rank_min',
]);

export function lowerWindowCall(
  lc: LoweringContext,
  name: string,
  argNodes: KNode[],
  scope: ScalarScope,
  type: ScalarNode['type'],
): ScalarNode {
  const order = scope.order ?? [];
  switch (name) {
    case 'row_number': {
      const partitionBy = restartGroups(lc, name, argNodes[1], scope);
      const rn = WindowNode.create('row_number', [], order, 'long', partitionBy);
      if (argNodes.length === 0) {
        return rn;
      }
      const start = coerce(lc.scalar(argNodes[0], scope), 'long');
      return CallNode.create(
        'AddExpression',
        [CallNode.create('SubtractExpression', [rn, LiteralNode.create(1n, 'long')], 'long'), start],
        'long',
      );
    }
    case 'prev':
    case 'next': {
      const args = argNodes.map((n) => lc.scalar(n, scope));
      const col = args[0];
      const offset = args[1] ?? LiteralNode.create(1n, 'long');
      const rest = args[2] ? [coerce(args[2], col.type)] : [];
      return WindowNode.create(name, [col, offset, ...rest], order, type);
    }
    case 'row_cumsum': {
      const partitionBy = restartGroups(lc, name, argNodes[1], scope);
      return WindowNode.create('row_cumsum', [lc.scalar(argNodes[0], scope)], order, type, partitionBy);
    }
    case 'row_rank_dense':
      return denseRank(lc, name, argNodes, scope);
    case 'row_rank_min': {
      // The row number (within the restart group) of the first row of the run of equal values.
      const prepare = requirePrepare(lc, name, argNodes[0], scope);
      const groups = restartGroups(lc, name, argNodes[1], scope);
      const rn = prepare(WindowNode.create('row_number', [], order, 'long', groups));
      const run = prepare(denseRank(lc, name, argNodes, scope, groups));
      return WindowNode.create('partition_min', [rn], [], 'long', [...groups, run]);
    }
    default:
      throw lc.unsupported(`function ${name}()`, argNodes[0]);
  }
}

/** 1 for the first row of each restart group, then +1 whenever the value differs from the previous row's. */
function denseRank(
  lc: LoweringContext,
  name: string,
  argNodes: KNode[],
  scope: ScalarScope,
  groups: ScalarNode[] = restartGroups(lc, name, argNodes[1], scope),
): ScalarNode {
  const prepare = requirePrepare(lc, name, argNodes[0], scope);
  const order = scope.order ?? [];
  const value = lc.scalar(argNodes[0], scope);
  const differs = resolveFunction('NotEqualExpression', [value.type, value.type]);
  if (value.type === 'dynamic' || !differs) {
    throw lc.unsupported(`${name}() of a ${value.type} value`, argNodes[0]);
  }
  const first = CallNode.create(
    'EqualExpression',
    [WindowNode.create('row_number', [], order, 'long', groups), LiteralNode.create(1n, 'long')],
    'bool',
  );
  const previous = WindowNode.create(
    'prev',
    [value, LiteralNode.create(1n, 'long')],
    order,
    value.type,
    groups,
  );
  const step = prepare(
    CaseNode.create(
      [
        { when: first, then: LiteralNode.create(1n, 'long') },
        {
          when: CallNode.create(differs.key, [value, previous], 'bool'),
          then: LiteralNode.create(1n, 'long'),
        },
      ],
      LiteralNode.create(0n, 'long'),
      'long',
    ),
  );
  return WindowNode.create('row_cumsum', [step], order, 'long', groups);
}

/** Restart groups: a running count of the rows where `restart` holds, computed a level below. */
function restartGroups(
  lc: LoweringContext,
  name: string,
  restartNode: KNode | undefined,
  scope: ScalarScope,
): ScalarNode[] {
  if (!restartNode) {
    return [];
  }
  const prepare = requirePrepare(lc, name, restartNode, scope);
  const restart = prepare(asBool(lc.scalar(restartNode, scope)));
  const flag = CaseNode.create(
    [{ when: restart, then: LiteralNode.create(1n, 'long') }],
    LiteralNode.create(0n, 'long'),
    'long',
  );
  return [prepare(WindowNode.create('row_cumsum', [flag], scope.order ?? [], 'long'))];
}

function requirePrepare(
  lc: LoweringContext,
  name: string,
  node: KNode,
  scope: ScalarScope,
): (value: ScalarNode) => ScalarNode {
  if (!scope.prepare) {
    throw lc.unsupported(
      `${name}() ${name.startsWith('row_rank') ? '' : 'with a restart condition '}outside extend`,
      node,
    );
  }
  return scope.prepare;
}
