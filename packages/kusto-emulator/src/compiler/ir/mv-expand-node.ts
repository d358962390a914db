import type { ColumnSchema, MvExpansion, RelationNode, ScalarNode } from './ir-node.js';

/** `mv-expand`: one row per element of a dynamic array (or bag entry). */
export interface MvExpandNode {
  readonly kind: 'MvExpand';
  readonly input: RelationNode;
  readonly expansions: readonly MvExpansion[];
  readonly limit: ScalarNode | undefined;
  /** `with_itemindex=name`: the 0-based element position as a long column. */
  readonly itemIndex: string | undefined;
  /** `kind=array`: bag entries become `[key, value]` arrays instead of one-key bags. */
  readonly bagAsArray: boolean;
  readonly columns: readonly ColumnSchema[];
}

export const MvExpandNode = {
  is(node: { kind: string }): node is MvExpandNode {
    return node.kind === 'MvExpand';
  },
  create(
    input: RelationNode,
    expansions: readonly MvExpansion[],
    limit: ScalarNode | undefined,
    itemIndex: string | undefined,
    bagAsArray: boolean,
    columns: readonly ColumnSchema[],
  ): MvExpandNode {
    return Object.freeze({ kind: 'MvExpand', input, expansions, limit, itemIndex, bagAsArray, columns });
  },
};
