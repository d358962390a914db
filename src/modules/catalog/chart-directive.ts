import type { ColumnDeclaration, KustoScalarType } from '@kqlgate/kql-language';
import type { ChartKind, ChartSpec } from './catalog.types.js';

/**
 * `// @chart <kind> [x=<column>] [y=<column>,…]`: how the explorer draws a function's result, in the spirit of
 * KQL's `render` operator. Without it the explorer picks from the output types (a datetime and numbers → a time
 * series, a string and numbers → bars). Parsed with the other header directives (exposure-header.ts); the columns
 * are checked against the function's output once it is known (`checkChart`).
 */
export const CHART_KINDS: readonly ChartKind[] = ['timechart', 'linechart', 'columnchart', 'barchart'];

/** A `@chart` line as written: the columns stay names until the output schema is known. */
export interface DeclaredChart {
  kind: ChartKind;
  x?: { name: string; offset: number };
  y?: { names: string[]; offset: number };
  offset: number;
}

interface Token {
  text: string;
  offset: number;
}

const NUMERIC: ReadonlySet<KustoScalarType> = new Set(['int', 'long', 'real', 'decimal']);
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parseChartDirective(
  args: readonly Token[],
  directiveOffset: number,
  problems: { offset: number; message: string }[],
): DeclaredChart | undefined {
  const [kind, ...settings] = args;
  if (!kind || !(CHART_KINDS as readonly string[]).includes(kind.text)) {
    problems.push({
      offset: kind?.offset ?? directiveOffset,
      message: `@chart expects a chart kind (${CHART_KINDS.join(', ')}), e.g. @chart timechart x=Period y=Revenue; found '${kind?.text ?? ''}'`,
    });
    return undefined;
  }
  const chart: DeclaredChart = { kind: kind.text as ChartKind, offset: kind.offset };
  for (const setting of settings) {
    const pair = /^(x|y)=(.+)$/.exec(setting.text);
    if (!pair) {
      problems.push({
        offset: setting.offset,
        message: `unknown @chart setting '${setting.text}' (known: x=<column>, y=<column>,<column>…)`,
      });
      continue;
    }
    const names = pair[2].split(',');
    const bad = names.find((name) => !COLUMN_NAME.test(name));
    if (bad !== undefined || (pair[1] === 'x' && names.length > 1)) {
      problems.push({
        offset: setting.offset,
        message:
          pair[1] === 'x'
            ? `@chart x= names one output column, e.g. x=Period; found '${pair[2]}'`
            : `@chart y= names output columns separated by commas, e.g. y=Revenue,Orders; found '${pair[2]}'`,
      });
      continue;
    }
    if (pair[1] === 'x') {
      chart.x = { name: names[0], offset: setting.offset };
    } else {
      chart.y = { names, offset: setting.offset };
    }
  }
  return chart;
}

/**
 * The declared chart against the function's output columns: x and y must name output columns, y numeric ones, and
 * a timechart's x a datetime. Each problem names the function, so a message read alone still says where it is.
 */
export function checkChart(
  functionName: string,
  declared: DeclaredChart,
  columns: readonly ColumnDeclaration[],
): { chart?: ChartSpec; problems: { offset: number; message: string }[] } {
  const problems: { offset: number; message: string }[] = [];
  const known = columns.map((c) => c.name).join(', ');
  const typeOf = (name: string) => columns.find((c) => c.name === name)?.type;
  if (declared.x) {
    const type = typeOf(declared.x.name);
    if (!type) {
      problems.push({
        offset: declared.x.offset,
        message: `@chart of ${functionName}: x=${declared.x.name} is not an output column (columns: ${known})`,
      });
    } else if (declared.kind === 'timechart' && type !== 'datetime') {
      problems.push({
        offset: declared.x.offset,
        message: `@chart of ${functionName}: a timechart's x must be a datetime column; ${declared.x.name} is ${type}`,
      });
    }
  }
  for (const name of declared.y?.names ?? []) {
    const type = typeOf(name);
    if (!type) {
      problems.push({
        offset: declared.y!.offset,
        message: `@chart of ${functionName}: y=${name} is not an output column (columns: ${known})`,
      });
    } else if (!NUMERIC.has(type)) {
      problems.push({
        offset: declared.y!.offset,
        message: `@chart of ${functionName}: y columns must be numeric (int, long, real, decimal); ${name} is ${type}`,
      });
    }
  }
  if (problems.length > 0) {
    return { problems };
  }
  return {
    chart: {
      kind: declared.kind,
      ...(declared.x ? { x: declared.x.name } : {}),
      ...(declared.y ? { y: declared.y.names } : {}),
    },
    problems,
  };
}
