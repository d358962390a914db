import { readFile } from 'node:fs/promises';
import type { RecipeRequest } from './infinity-request-builder.js';

/** A header value: a text literal, or a Power BI parameter the M query refers to by name. */
export type MValue = { readonly text: string } | { readonly parameter: string };

export interface TypedColumn {
  readonly name: string;
  /** The M type the recipe converts the column to: `type text`, `Int64.Type`, `type datetimezone`, … */
  readonly mType: string;
}

/**
 * One Power BI recipe of dashboards/powerbi/*.pq, read back from its M text: the `Web.Contents(<base parameter>,
 * [RelativePath = …, Query = […], Headers = […]])` call, whether it parses JSON or CSV, and the columns it types.
 * The reader accepts the one shape the recipes use and says what it misses, so a recipe that drifts from it fails
 * loudly instead of being checked halfway.
 */
export interface PowerQueryRecipe {
  readonly file: string;
  readonly text: string;
  readonly format: 'json' | 'csv';
  readonly baseUrlParameter: string;
  readonly relativePath: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, MValue>>;
  readonly columns: readonly TypedColumn[];
  /** JSON recipes: the columns `Table.FromRecords` keeps (must be the typed ones). */
  readonly recordColumns?: readonly string[];
}

export async function readPowerQueryRecipe(file: string): Promise<PowerQueryRecipe> {
  const text = await readFile(file, 'utf8');
  const need = (pattern: RegExp, what: string): RegExpExecArray => {
    const match = pattern.exec(text);
    if (!match) {
      throw new Error(`${file}: ${what} not found`);
    }
    return match;
  };
  const json = /\bJson\.Document\(/.test(text);
  const csv = /\bCsv\.Document\(/.test(text);
  if (json === csv) {
    throw new Error(`${file}: expected exactly one of Json.Document( or Csv.Document(`);
  }
  const baseUrlParameter = need(
    /\bWeb\.Contents\(\s*([A-Za-z_]\w*)\s*,/,
    'Web.Contents(<parameter>, [...])',
  )[1];
  const relativePath = parseMText(need(/\bRelativePath\s*=\s*("(?:[^"]|"")*")/, 'RelativePath = "…"')[1]);
  const query: Record<string, string> = {};
  for (const [name, value] of fields(need(/\bQuery\s*=\s*\[([^\]]*)\]/, 'Query = [...]')[1], file)) {
    if (!('text' in value)) {
      throw new Error(`${file}: Query field ${name} must be a text literal`);
    }
    query[name] = value.text;
  }
  const headers = Object.fromEntries(
    fields(need(/\bHeaders\s*=\s*\[([^\]]*)\]/, 'Headers = [...]')[1], file),
  );
  const typed = need(
    /\bTable\.TransformColumnTypes\(\s*\w+\s*,\s*\{([\s\S]*?)\}\s*(?:,\s*"[^"]*"\s*)?\)/,
    'Table.TransformColumnTypes(<table>, {{"Column", type}, …})',
  )[1];
  const columns = [...typed.matchAll(/\{\s*("(?:[^"]|"")*")\s*,\s*([^{}]+?)\s*\}/g)].map((m) => ({
    name: parseMText(m[1]),
    mType: m[2].replace(/\s+/g, ' '),
  }));
  if (columns.length === 0) {
    throw new Error(`${file}: Table.TransformColumnTypes names no column`);
  }
  const records = /\bTable\.FromRecords\(\s*\w+\s*,\s*\{([^}]*)\}/.exec(text);
  return {
    file,
    text,
    format: json ? 'json' : 'csv',
    baseUrlParameter,
    relativePath,
    query,
    headers,
    columns,
    recordColumns: records
      ? [...records[1].matchAll(/"(?:[^"]|"")*"/g)].map((m) => parseMText(m[0]))
      : undefined,
  };
}

/**
 * The request Power BI sends for a recipe: `Web.Contents(base, [RelativePath, Query, Headers])` joins the base URL
 * and the relative path with one slash and appends the Query record percent-encoded (`%20` for a space); parameters take `parameters`'
 * values (the test's gateway URL and API key).
 */
export function powerQueryRequest(
  recipe: PowerQueryRecipe,
  parameters: Readonly<Record<string, string>>,
): RecipeRequest {
  const value = (v: MValue, what: string): string => {
    if ('text' in v) {
      return v.text;
    }
    const given = parameters[v.parameter];
    if (given === undefined) {
      throw new Error(`${recipe.file}: ${what} refers to the parameter ${v.parameter}, which was not given`);
    }
    return given;
  };
  const base = value({ parameter: recipe.baseUrlParameter }, 'Web.Contents');
  const query = Object.entries(recipe.query)
    .map(([name, text]) => `${encodeURIComponent(name)}=${encodeURIComponent(text)}`)
    .join('&');
  const url = new URL(`${base.replace(/\/+$/, '')}/${recipe.relativePath.replace(/^\/+/, '')}`);
  url.search = query;
  const headers: Record<string, string> = {};
  for (const [name, v] of Object.entries(recipe.headers)) {
    headers[name] = value(v, `header ${name}`);
  }
  return { method: 'GET', url: url.toString(), headers };
}

/** `name = "text"`, `#"quoted name" = "text"` or `name = Parameter`, separated by commas. */
function fields(body: string, file: string): [string, MValue][] {
  const out: [string, MValue][] = [];
  const field = /\s*(#"(?:[^"]|"")*"|[A-Za-z_]\w*)\s*=\s*("(?:[^"]|"")*"|[A-Za-z_]\w*)\s*(?:,|$)/y;
  let rest = body.trim();
  while (rest.length > 0) {
    field.lastIndex = 0;
    const match = field.exec(rest);
    if (!match) {
      throw new Error(`${file}: cannot read the record field at "${rest.slice(0, 40)}"`);
    }
    const name = match[1].startsWith('#') ? parseMText(match[1].slice(1)) : match[1];
    const value: MValue = match[2].startsWith('"') ? { text: parseMText(match[2]) } : { parameter: match[2] };
    out.push([name, value]);
    rest = rest.slice(match[0].length).trim();
  }
  return out;
}

/** An M text literal: quoted, with `""` for a quote inside. */
function parseMText(literal: string): string {
  return literal.slice(1, -1).replace(/""/g, '"');
}
