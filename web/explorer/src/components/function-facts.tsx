import type { ExplorerFunction } from '../api/explorer-function.js';

function access(fn: ExplorerFunction): string {
  if (fn.anonymous) {
    return 'anyone, without credentials';
  }
  return fn.roles.length > 0 ? `roles ${fn.roles.join(', ')}` : 'any authenticated caller';
}

/** The docstring and what the exposure header says: who may call, caching, cost, row cap and claim bindings. */
export function FunctionFacts({ fn }: { fn: ExplorerFunction }) {
  const bound = Object.entries(fn.boundParameters);
  return (
    <>
      <p class="summary">{fn.summary}</p>
      <dl class="facts">
        <dt>Access</dt>
        <dd>{access(fn)}</dd>
        <dt>Cache</dt>
        <dd>{fn.cacheTtlSeconds > 0 ? `${fn.cacheTtlSeconds}s` : 'none'}</dd>
        <dt>Cost</dt>
        <dd>
          {fn.cost} rate-limit point{fn.cost === 1 ? '' : 's'} per call
        </dd>
        <dt>Rows</dt>
        <dd>at most {fn.maxRows}</dd>
        {bound.length > 0 ? (
          <>
            <dt>From your token</dt>
            <dd>{bound.map(([name, claim]) => `${name} ← claim ${claim}`).join('; ')}</dd>
          </>
        ) : null}
        {fn.chart ? (
          <>
            <dt>Chart</dt>
            <dd>
              <code>
                @chart {fn.chart.kind}
                {fn.chart.x ? ` x=${fn.chart.x}` : ''}
                {fn.chart.y ? ` y=${fn.chart.y.join(',')}` : ''}
              </code>
            </dd>
          </>
        ) : null}
      </dl>
    </>
  );
}
