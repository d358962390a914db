import type { IrType, RelationNode } from './ir-node.js';

/** `toscalar()`: first column of the first row of a relation. */
export interface ScalarSubqueryNode {
  readonly kind: 'ScalarSubquery';
  readonly relation: RelationNode;
  readonly type: IrType;
}

export const ScalarSubqueryNode = {
  is(node: { kind: string }): node is ScalarSubqueryNode {
    return node.kind === 'ScalarSubquery';
  },
  create(relation: RelationNode, type: IrType): ScalarSubqueryNode {
    return Object.freeze({ kind: 'ScalarSubquery', relation, type });
  },
};
