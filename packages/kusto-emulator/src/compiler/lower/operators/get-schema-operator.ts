/** `getschema`: one row per input column, known at compile time. */
import { clrTypeName } from '@kqlgate/kql-language';
import { LiteralNode } from '../../ir/literal-node.js';
import { ValuesNode } from '../../ir/values-node.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerGetSchema: OperatorLowerer = (_lc, input, _op, columns) => {
  const rows = input.columns.map((c, i) => [
    LiteralNode.create(c.name, 'string'),
    LiteralNode.create(i, 'int'),
    LiteralNode.create(clrTypeName(c.type), 'string'),
    LiteralNode.create(c.type, 'string'),
  ]);
  // ADX types ColumnOrdinal as int (Kusto.Language says long).
  const schema = columns.map((c) => (c.name === 'ColumnOrdinal' ? { ...c, type: 'int' as const } : c));
  return ValuesNode.create(rows, schema);
};
