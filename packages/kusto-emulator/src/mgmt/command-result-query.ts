/**
 * `.show … | <query operators>`: the command's result table becomes a KQL `datatable` that the operators run over,
 * so the engine's query compiler does the work (typing, functions, every operator it supports) and no operator is
 * reimplemented over result rows. Values become KQL literals of their column type, strings quoted by the shared
 * lexer's rules; result tables of commands are small (catalog listings), so the literal form costs nothing.
 */
import { quoteString } from '@kqlgate/kql-language';
import type { ColumnSchema } from '../compiler/compiler-types.js';
import type { ResultTable } from '../protocol/result-table.js';

export function commandResultQuery(table: ResultTable, operators: string): string {
  const columns = table.columns.map((c) => `['${c.name.replace(/'/g, "\\'")}']:${c.type}`).join(', ');
  const values = table.rows.flatMap((row) => row.map((cell, i) => literal(table.columns[i].type, cell)));
  return `datatable(${columns})[${values.join(', ')}]\n${operators}`;
}

function literal(type: ColumnSchema['type'], cell: unknown): string {
  if (cell === null || cell === undefined) {
    return type === 'string' ? '""' : `${type}(null)`;
  }
  switch (type) {
    case 'string':
      return quoteString(textOf(cell));
    case 'bool':
      return cell ? 'true' : 'false';
    case 'int':
    case 'long':
    case 'real':
    case 'decimal':
    case 'datetime':
    case 'timespan':
    case 'guid':
      return `${type}(${textOf(cell)})`;
    case 'dynamic':
      return `dynamic(${JSON.stringify(cell)})`;
  }
}

/** Result cells are JSON values: strings as they are, numbers and the rest in their JSON text. */
function textOf(cell: unknown): string {
  return typeof cell === 'string' ? cell : JSON.stringify(cell);
}
