/** The shape every tabular operator's lowering has, so the operator table can dispatch by syntax kind. */
import type { ColumnSchema, RelationNode } from '../../ir/ir-node.js';
import type { KNode } from '../../parse/kusto-syntax.js';
import type { LoweringContext, ScalarScope } from '../lowering-context.js';

/**
 * Lowers `op` applied to `input`. `columns` is the result schema Kusto.Language computed for the operator;
 * `scope` carries the input's row order for window functions.
 */
export type OperatorLowerer = (
  lc: LoweringContext,
  input: RelationNode,
  op: KNode,
  columns: ColumnSchema[],
  scope: ScalarScope,
) => RelationNode;
