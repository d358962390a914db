/** `union`, as a pipe's source or applied to a pipe's input, with `withsource=` and `kind=inner|outer`. */
import type { RelationNode } from '../../ir/ir-node.js';
import { UnionNode } from '../../ir/union-node.js';
import {
  child,
  type KNode,
  listElements,
  nameText,
  symbolKind,
  syntaxKind,
} from '../../parse/kusto-syntax.js';
import type { LoweringContext } from '../lowering-context.js';
import { schemaOf } from '../result-schema.js';
import { namedParameter } from '../syntax-reading.js';

export function lowerUnion(lc: LoweringContext, first: RelationNode | undefined, op: KNode): RelationNode {
  const columns = schemaOf(op.ResultType);
  const withSource = namedParameter(op, 'withsource');
  const inner = (namedParameter(op, 'kind') ?? 'outer').toLowerCase() === 'inner';
  const exprs = listElements(child(op, 'Expressions'));
  const inputs: RelationNode[] = first ? [first] : [];
  const names: string[] = first ? ['union_arg0'] : [];
  for (const e of exprs) {
    inputs.push(lc.tabular(e));
    const sym = e.ReferencedSymbol;
    const let_ = syntaxKind(e) === 'NameReference' ? lc.lookup(nameText(e)) : undefined;
    names.push(
      sym && symbolKind(sym) === 'Table'
        ? sym.Name
        : let_ || (sym && symbolKind(sym) === 'Function')
          ? nameText(e)
          : `union_arg${names.length}`,
    );
  }
  // kind=inner keeps the columns every input has (same name and type), in the first input's order.
  const output = inner
    ? columns.filter(
        (c) =>
          c.name === withSource ||
          inputs.every((i) => i.columns.some((x) => x.name === c.name && x.type === c.type)),
      )
    : columns;
  return UnionNode.create(inputs, withSource ? { column: withSource, names } : undefined, output);
}
