import type { ColumnSchema, NamedScalar, RelationNode } from './ir-node.js';

/** Computes the output columns in order (project, extend, project-away/rename/reorder, serialize). */
export interface ProjectNode {
  readonly kind: 'Project';
  readonly input: RelationNode;
  readonly outputs: readonly NamedScalar[];
  readonly columns: readonly ColumnSchema[];
}

export const ProjectNode = {
  is(node: { kind: string }): node is ProjectNode {
    return node.kind === 'Project';
  },
  create(
    input: RelationNode,
    outputs: readonly NamedScalar[],
    columns: readonly ColumnSchema[],
  ): ProjectNode {
    return Object.freeze({ kind: 'Project', input, outputs, columns });
  },
};
