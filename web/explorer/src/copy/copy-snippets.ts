import type { ExplorerFunction } from '../api/explorer-function.js';
import { functionPath } from '../api/gateway-client.js';

/**
 * "Copy as" texts for the current form. The credential is never copied: snippets name an environment variable
 * (a token or key pasted into a chat or a ticket is a leaked one).
 */
export interface CopySnippets {
  readonly curl: string;
  readonly graphql: string;
  readonly typescript: string;
}

const NUMERIC_LITERAL = /^-?\d+(\.\d+)?$/;

export function copySnippets(
  fn: ExplorerFunction,
  values: Readonly<Record<string, string>>,
  origin: string,
  apiKey: boolean,
): CopySnippets {
  const given = fn.parameters.filter((p) => (values[p.name] ?? '') !== '');
  const header = apiKey ? `-H "X-API-Key: $KQLGATE_API_KEY"` : `-H "Authorization: Bearer $KQLGATE_TOKEN"`;
  // The path is percent-encoded (a quote too), so it sits safely inside single quotes.
  const curl = `curl ${header} '${origin}${functionPath(fn.name, values)}'`;

  const literal = (type: string, value: string): string => {
    if ((type === 'int' || type === 'long' || type === 'real') && NUMERIC_LITERAL.test(value)) {
      return value;
    }
    if (type === 'bool' && (value === 'true' || value === 'false')) {
      return value;
    }
    return JSON.stringify(value);
  };
  const args = given.map((p) => `${p.name}: ${literal(p.type, values[p.name])}`).join(', ');
  const fields = fn.columns.map((c) => c.name).join(' ');
  const graphql = `query {\n  ${fn.name}${args === '' ? '' : `(${args})`} {\n    ${fields}\n  }\n}`;

  const method = fn.name.charAt(0).toLowerCase() + fn.name.slice(1);
  // The client's parameter types take the same literals: numbers for int/long/real, booleans, strings.
  const members = given.map((p) => `${p.name}: ${literal(p.type, values[p.name])}`);
  const credential = apiKey ? 'apiKey: process.env.KQLGATE_API_KEY' : 'token: process.env.KQLGATE_TOKEN';
  const typescript = [
    `const client = new KqlgateClient({ baseUrl: '${origin}', ${credential} });`,
    `const { data, meta } = await client.${method}(${members.length === 0 ? '' : `{ ${members.join(', ')} }`});`,
  ].join('\n');
  return { curl, graphql, typescript };
}
