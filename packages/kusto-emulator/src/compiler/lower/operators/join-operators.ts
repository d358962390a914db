/** `join` (all kinds ADX has) and `lookup`: equality joins on columns. */
import type { JoinKind, JoinOutput } from '../../ir/ir-node.js';
import { JoinNode } from '../../ir/join-node.js';
import {
  child,
  type KNode,
  listElements,
  nameText,
  requiredChild,
  syntaxKind,
} from '../../parse/kusto-syntax.js';
import type { LoweringContext } from '../lowering-context.js';
import { describe, namedParameter } from '../syntax-reading.js';
import type { OperatorLowerer } from './operator-lowerer.js';

/** `kind=` spellings → join kinds (`anti` and `leftantisemi` are `leftanti`, and so on). */
const JOIN_KINDS: Readonly<Record<string, JoinKind>> = {
  inner: 'inner',
  innerunique: 'innerunique',
  leftouter: 'leftouter',
  rightouter: 'rightouter',
  fullouter: 'fullouter',
  leftsemi: 'leftsemi',
  rightsemi: 'rightsemi',
  leftanti: 'leftanti',
  anti: 'leftanti',
  leftantisemi: 'leftanti',
  rightanti: 'rightanti',
  rightantisemi: 'rightanti',
};

export const lowerJoin: OperatorLowerer = (lc, left, op, columns) => {
  const kind = (namedParameter(op, 'kind') ?? 'innerunique').toLowerCase();
  const joinKind = Object.prototype.hasOwnProperty.call(JOIN_KINDS, kind) ? JOIN_KINDS[kind] : undefined;
  if (!joinKind) {
    throw lc.unsupported(`join kind=${kind}`, op);
  }
  const right = lc.tabular(requiredChild(op, 'Expression'));
  const on = joinConditions(lc, op);
  let outputs: JoinOutput[];
  if (joinKind === 'leftsemi' || joinKind === 'leftanti') {
    outputs = left.columns.map((c) => ({ name: c.name, side: 'left', source: c.name }));
  } else if (joinKind === 'rightsemi' || joinKind === 'rightanti') {
    outputs = right.columns.map((c) => ({ name: c.name, side: 'right', source: c.name }));
  } else {
    outputs = columns.map((c, i) =>
      i < left.columns.length
        ? { name: c.name, side: 'left', source: left.columns[i].name }
        : { name: c.name, side: 'right', source: right.columns[i - left.columns.length].name },
    );
  }
  return JoinNode.create(left, right, joinKind, on, outputs, columns);
};

export const lowerLookup: OperatorLowerer = (lc, left, op, columns) => {
  const kind = (namedParameter(op, 'kind') ?? 'leftouter').toLowerCase();
  const right = lc.tabular(requiredChild(op, 'Expression'));
  const on = joinConditions(lc, op);
  const rightKeys = new Set(on.map((c) => c.right));
  const rightRest = right.columns.filter((c) => !rightKeys.has(c.name));
  const outputs: JoinOutput[] = columns.map((c, i) =>
    i < left.columns.length
      ? { name: c.name, side: 'left', source: left.columns[i].name }
      : { name: c.name, side: 'right', source: rightRest[i - left.columns.length].name },
  );
  return JoinNode.create(left, right, kind === 'inner' ? 'inner' : 'leftouter', on, outputs, columns);
};

function joinConditions(lc: LoweringContext, op: KNode): { left: string; right: string }[] {
  const clause = child(op, 'ConditionClause') ?? child(op, 'LookupClause');
  if (!clause || syntaxKind(clause) !== 'JoinOnClause') {
    throw lc.unsupported(`join condition ${clause ? describe(clause) : '(none)'}`, op);
  }
  const conditions: KNode[] = [];
  const flatten = (e: KNode): void => {
    if (syntaxKind(e) === 'AndExpression') {
      flatten(requiredChild(e, 'Left'));
      flatten(requiredChild(e, 'Right'));
    } else {
      conditions.push(e);
    }
  };
  listElements(child(clause, 'Expressions')).forEach(flatten);
  return conditions.map((e) => {
    const k = syntaxKind(e);
    if (k === 'NameReference') {
      const n = nameText(e);
      return { left: n, right: n };
    }
    if (k === 'EqualExpression') {
      const l = requiredChild(e, 'Left');
      const r = requiredChild(e, 'Right');
      const side = (p: KNode): string => requiredChild(p, 'Expression').toString().trim();
      const col = (p: KNode): string => nameText(requiredChild(p, 'Selector'));
      if (side(l) === '$right') {
        return { left: col(r), right: col(l) };
      }
      return { left: col(l), right: col(r) };
    }
    throw lc.unsupported(`join condition ${describe(e)} (only equality on columns)`, e);
  });
}
