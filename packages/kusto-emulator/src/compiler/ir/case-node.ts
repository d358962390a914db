import type { IrType, ScalarNode } from './ir-node.js';

/** iff/iif/case: first matching branch wins. */
export interface CaseNode {
  readonly kind: 'Case';
  readonly whens: readonly { readonly when: ScalarNode; readonly then: ScalarNode }[];
  readonly otherwise: ScalarNode;
  readonly type: IrType;
}

export const CaseNode = {
  is(node: { kind: string }): node is CaseNode {
    return node.kind === 'Case';
  },
  create(
    whens: readonly { readonly when: ScalarNode; readonly then: ScalarNode }[],
    otherwise: ScalarNode,
    type: IrType,
  ): CaseNode {
    return Object.freeze({ kind: 'Case', whens, otherwise, type });
  },
};
