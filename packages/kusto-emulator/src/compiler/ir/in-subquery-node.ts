import type { IrType, RelationNode, ScalarNode } from './ir-node.js';

/** `x in (T | project c)`: membership in the first column of a relation. */
export interface InSubqueryNode {
  readonly kind: 'InSubquery';
  readonly operand: ScalarNode;
  readonly relation: RelationNode;
  readonly negated: boolean;
  readonly caseInsensitive: boolean;
  readonly type: IrType;
}

export const InSubqueryNode = {
  is(node: { kind: string }): node is InSubqueryNode {
    return node.kind === 'InSubquery';
  },
  create(
    operand: ScalarNode,
    relation: RelationNode,
    negated: boolean,
    caseInsensitive: boolean,
    type: IrType,
  ): InSubqueryNode {
    return Object.freeze({ kind: 'InSubquery', operand, relation, negated, caseInsensitive, type });
  },
};
