import type { CatalogFunction } from '../catalog/catalog.types.js';

/**
 * The one query text a function call sends, e.g.
 *
 * ```
 * declare query_parameters(tenantId:string, lookback:timespan = 1h);
 * FraudScores(tenantId, lookback)
 * | take 1001
 * ```
 *
 * It depends only on the function's signature and row cap — never on a parameter value — so every call of a
 * function sends the same text (and it can be cached by the engine). Parameters the caller omitted are
 * declared with the function's own default, which then applies; values travel in ClientRequestProperties.
 * One row more than the cap is requested so the gateway can tell the caller the result was cut.
 */
export function functionQueryText(fn: CatalogFunction, maxRows: number): string {
  const declarations = fn.parameters.map(
    (p) => `${p.name}:${p.type}${p.defaultText === undefined ? '' : ` = ${p.defaultText}`}`,
  );
  const call = `${fn.name}(${fn.parameters.map((p) => p.name).join(', ')})`;
  const declare = declarations.length > 0 ? `declare query_parameters(${declarations.join(', ')});\n` : '';
  return `${declare}${call}\n| take ${maxRows + 1}`;
}
