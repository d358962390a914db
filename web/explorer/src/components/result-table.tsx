import { cellText } from '../api/cell-text.js';
import type { FunctionResult } from '../api/explorer-function.js';

const SHOWN_ROWS = 500;

/** The rows as a table with the result's column names and types as headers (the first rows when there are many). */
export function ResultTable({ result }: { result: FunctionResult }) {
  const { columns } = result.meta;
  const rows = result.data.slice(0, SHOWN_ROWS);
  return (
    <div class="table-wrap" tabIndex={0} aria-label="Result rows">
      <table>
        <caption>
          {result.meta.rowCount} row{result.meta.rowCount === 1 ? '' : 's'}
          {result.meta.truncated ? ' (truncated at maxRows)' : ''} · cache {result.meta.cache}
          {rows.length < result.data.length ? ` · first ${rows.length} shown` : ''}
        </caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col" key={c.name}>
                {c.name} <span class="type">{c.type}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              {columns.map((c) => (
                <td key={c.name}>{cellText(row[c.name])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
