import type { ColumnSchema, NamedScalar, RelationNode } from './ir-node.js';

/** `summarize`: group keys first, then aggregates, as Kusto orders them. */
export interface AggregateNode {
  readonly kind: 'Aggregate';
  readonly input: RelationNode;
  readonly groupBy: readonly NamedScalar[];
  readonly aggregates: readonly NamedScalar[];
  readonly columns: readonly ColumnSchema[];
}

export const AggregateNode = {
  is(node: { kind: string }): node is AggregateNode {
    return node.kind === 'Aggregate';
  },
  create(
    input: RelationNode,
    groupBy: readonly NamedScalar[],
    aggregates: readonly NamedScalar[],
    columns: readonly ColumnSchema[],
  ): AggregateNode {
    return Object.freeze({ kind: 'Aggregate', input, groupBy, aggregates, columns });
  },
};
