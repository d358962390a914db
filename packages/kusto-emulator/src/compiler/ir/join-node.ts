import type { ColumnSchema, JoinCondition, JoinKind, JoinOutput, RelationNode } from './ir-node.js';

/** `join`/`lookup`; `innerunique` keeps one left row per key before joining, as ADX does. */
export interface JoinNode {
  readonly kind: 'Join';
  readonly left: RelationNode;
  readonly right: RelationNode;
  readonly joinKind: JoinKind;
  readonly on: readonly JoinCondition[];
  readonly outputs: readonly JoinOutput[];
  readonly columns: readonly ColumnSchema[];
}

export const JoinNode = {
  is(node: { kind: string }): node is JoinNode {
    return node.kind === 'Join';
  },
  create(
    left: RelationNode,
    right: RelationNode,
    joinKind: JoinKind,
    on: readonly JoinCondition[],
    outputs: readonly JoinOutput[],
    columns: readonly ColumnSchema[],
  ): JoinNode {
    return Object.freeze({ kind: 'Join', left, right, joinKind, on, outputs, columns });
  },
};
