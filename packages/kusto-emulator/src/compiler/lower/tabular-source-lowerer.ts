/**
 * Tabular expressions: a pipe's source (a table, a `let` relation, a function call, `datatable`, `print`,
 * `range`, `union`) and the pipe itself, whose operators are lowered through the operator table.
 */
import type { ColumnSchema, RelationNode, ScalarNode } from '../ir/ir-node.js';
import { ProjectNode } from '../ir/project-node.js';
import { RangeNode } from '../ir/range-node.js';
import { ScanNode } from '../ir/scan-node.js';
import { ValuesNode } from '../ir/values-node.js';
import {
  child,
  type KNode,
  listElements,
  nameText,
  requiredChild,
  symbolKind,
  syntaxKind,
} from '../parse/kusto-syntax.js';
import { expandTabularFunction } from './function-expansion.js';
import type { LoweringContext } from './lowering-context.js';
import { lowerOperator } from './operators/operator-table.js';
import { lowerUnion } from './operators/union-operator.js';
import { schemaOf } from './result-schema.js';
import { coerce } from './scalar-coercion.js';
import { callArguments, describe, unnamed } from './syntax-reading.js';

export function lowerTabular(lc: LoweringContext, node: KNode): RelationNode {
  const kind = syntaxKind(node);
  switch (kind) {
    case 'PipeExpression':
      return lowerOperator(
        lc,
        lc.tabular(requiredChild(node, 'Expression')),
        requiredChild(node, 'Operator'),
      );
    case 'ParenthesizedExpression':
      return lc.tabular(requiredChild(node, 'Expression'));
    case 'NameReference':
      return tableReference(lc, node);
    case 'FunctionCallExpression':
      return tabularCall(lc, node);
    case 'DataTableExpression':
      return datatable(lc, node);
    case 'ExternalDataExpression':
      return lc.external.data(node, schemaOf(node.ResultType));
    case 'PrintOperator':
      return print(lc, node);
    case 'RangeOperator':
      return range(lc, node);
    case 'UnionOperator':
      return lowerUnion(lc, undefined, node);
    case 'MaterializeExpression':
      return lc.tabular(requiredChild(node, 'Expression'));
    default:
      throw lc.unsupported(`tabular expression ${describe(node)}`, node);
  }
}

/** A relation of one row and no columns, the input of `print`. */
export function singleRow(): RelationNode {
  return ValuesNode.create([[]], []);
}

function tableReference(lc: LoweringContext, node: KNode): RelationNode {
  const symbol = node.ReferencedSymbol;
  const name = nameText(node);
  if (symbol && symbolKind(symbol) === 'Table') {
    return scan(lc, symbol.Name, schemaOf(node.ResultType));
  }
  const binding = lc.lookup(name);
  if (binding?.kind === 'relation') {
    return binding.node;
  }
  if (symbol && symbolKind(symbol) === 'Function') {
    return expandTabularFunction(lc, node, []);
  }
  throw lc.unsupported(`table reference '${name}'`, node);
}

function scan(lc: LoweringContext, table: string, columns: ColumnSchema[]): RelationNode {
  const stored = lc.input.database.tables.find((t) => t.name === table);
  const storageNames = columns.map(
    (c) => stored?.columns.find((s) => s.name === c.name)?.storageName ?? c.name,
  );
  return ScanNode.create(table, columns, storageNames);
}

function tabularCall(lc: LoweringContext, node: KNode): RelationNode {
  const name = nameText(requiredChild(node, 'Name'));
  const args = callArguments(node);
  if (name === 'materialize' && args.length === 1) {
    return lc.tabular(args[0]);
  }
  if (name === 'external_table' && args.length >= 1) {
    return lc.external.table(args[0], schemaOf(node.ResultType));
  }
  if (name === 'table' && args.length >= 1) {
    const tableName = typeof args[0].ConstantValue === 'string' ? args[0].ConstantValue : nameText(args[0]);
    return scan(lc, tableName, schemaOf(node.ResultType));
  }
  if (node.GetExpansion()) {
    return expandTabularFunction(lc, node, args);
  }
  throw lc.unsupported(`tabular function ${name}()`, node);
}

function datatable(lc: LoweringContext, node: KNode): RelationNode {
  const columns = schemaOf(node.ResultType);
  const values = listElements(child(node, 'Values')).map((v) => lc.scalar(v, {}));
  if (columns.length === 0) {
    throw lc.unsupported('datatable without columns', node);
  }
  const rows: ScalarNode[][] = [];
  for (let i = 0; i < values.length; i += columns.length) {
    rows.push(values.slice(i, i + columns.length).map((v, c) => coerce(v, columns[c].type)));
  }
  return ValuesNode.create(rows, columns);
}

function print(lc: LoweringContext, node: KNode): RelationNode {
  const columns = schemaOf(node.ResultType);
  const exprs = listElements(child(node, 'Expressions'));
  const outputs = exprs.map((e, i) => ({ name: columns[i].name, expr: lc.scalar(unnamed(e), {}) }));
  return ProjectNode.create(singleRow(), outputs, columns);
}

function range(lc: LoweringContext, node: KNode): RelationNode {
  const columns = schemaOf(node.ResultType);
  const from = lc.scalar(requiredChild(node, 'From'), {});
  const to = lc.scalar(requiredChild(node, 'To'), {});
  const step = lc.scalar(requiredChild(node, 'Step'), {});
  return RangeNode.create(coerce(from, columns[0].type), coerce(to, columns[0].type), step, columns);
}
