import { createHash } from 'node:crypto';
import type { Catalog, CatalogFunction } from '../../catalog/catalog.types.js';
import { describeRange } from '../../catalog/parameter-range.js';

/** The page's one inline style sheet and one inline script; constant, so the policy below can allow them by hash. */
const DOCS_PAGE_STYLE = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header a{color:#9cc3ff}
main{display:flex;gap:24px;padding:24px}nav{min-width:220px}nav ul{list-style:none;padding:0;margin:0}
nav li{margin:4px 0}section{background:#fff;border:1px solid #dde1e7;border-radius:6px;padding:16px 20px;margin-bottom:20px}
h2{margin-top:0;font-family:ui-monospace,monospace}table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e6e9ee;text-align:left;padding:4px 8px;font-size:14px}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f0f2f5;padding:8px;overflow:auto;max-height:320px}
.tag{display:inline-block;background:#e8eefc;border-radius:3px;padding:0 6px;margin-right:4px;font-size:12px}
form input{font:inherit;padding:2px 6px;margin:2px 0;width:220px}button{font:inherit;padding:4px 12px}
`;

const DOCS_PAGE_SCRIPT = `
document.querySelectorAll('form[data-fn]').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value !== '') { params.append(key, value); } });
    var token = document.getElementById('token').value.trim();
    var headers = { Accept: 'application/json' };
    if (token) { headers.Authorization = /^kqg_/.test(token) ? 'ApiKey ' + token : 'Bearer ' + token; }
    var out = form.querySelector('pre');
    out.textContent = '…';
    fetch('/api/v1/functions/' + form.dataset.fn + '?' + params.toString(), { headers: headers })
      .then(function (response) { return response.text().then(function (text) { return response.status + ' ' + text; }); })
      .then(function (text) { out.textContent = text.slice(0, 20000); })
      .catch(function (error) { out.textContent = String(error); });
  });
});
`;

const cspHash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The Content-Security-Policy of `GET /docs`: its inline style and script by hash (no 'unsafe-inline', so markup
 * injected into the page could not run), fetches to this origin only (the form calls the REST endpoint), nothing
 * else loads, and no other site may frame it.
 */
export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(DOCS_PAGE_SCRIPT)}`,
  `style-src ${cspHash(DOCS_PAGE_STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /docs`: a self-contained HTML page (inline CSS and script, no CDN, works offline and under a strict CSP
 * for same-origin fetches) listing every exposed function with its parameters, output columns, access rules and
 * a small form that calls the REST endpoint. The machine-readable contract stays /api/v1/openapi.json.
 */
export function renderDocsPage(
  catalog: Catalog,
  /** Only these of the catalog's functions, with a note saying so (a caller's view, see function-visibility.ts). */
  view?: { functions: readonly CatalogFunction[]; note: string },
): string {
  const exposed = (view?.functions ?? catalog.functions)
    .filter((f) => f.exposure)
    .sort((a, b) => a.name.localeCompare(b.name));
  const toc = exposed.map((f) => `<li><a href="#${esc(f.name)}">${esc(f.name)}</a></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>kqlgate functions</title>
<style>${DOCS_PAGE_STYLE}</style></head><body>
<header><strong>kqlgate</strong> — ${exposed.length} functions from <code>kql/functions</code> (catalog v${catalog.version})${
    view ? ` ${esc(view.note)}` : ''
  }.
OpenAPI: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> · GraphQL: <code>POST /graphql</code></header>
<main><nav><label>Token (optional)<br><input id="token" placeholder="Bearer JWT or API key"></label><ul>${toc}</ul></nav>
<div>${exposed.map(renderFunction).join('\n')}</div></main>
<script>${DOCS_PAGE_SCRIPT}</script></body></html>`;
}

function renderFunction(fn: CatalogFunction): string {
  const exposure = fn.exposure!;
  const visible = fn.parameters.filter((p) => !p.binding);
  const params = fn.parameters
    .map(
      (p) =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${p.type}</td><td>${
          p.binding
            ? `from claim <code>${esc(p.binding.claim)}</code>`
            : p.required
              ? 'required'
              : `<code>${esc(p.defaultText ?? '')}</code>`
        }</td><td>${p.range ? esc(describeRange(p.range)) : ''}</td></tr>`,
    )
    .join('');
  const columns = fn.outputColumns
    .map((c) => `<tr><td><code>${esc(c.name)}</code></td><td>${c.type}</td></tr>`)
    .join('');
  const access = exposure.anonymous
    ? 'anonymous'
    : exposure.roles.length > 0
      ? exposure.roles.map((r) => `<span class="tag">${esc(r)}</span>`).join('')
      : 'any authenticated caller';
  const inputs = visible
    .map(
      (p) =>
        `<label><code>${esc(p.name)}</code> <input name="${esc(p.name)}" placeholder="${esc(p.defaultText ?? p.type)}"${
          p.required ? ' required' : ''
        }${p.range?.maxLength === undefined ? '' : ` maxlength="${p.range.maxLength}"`}></label><br>`,
    )
    .join('');
  return `<section id="${esc(fn.name)}"><h2>${esc(fn.name)}</h2>
<p>${esc(fn.docString ?? '')}</p>
<p>Access: ${access} · cost ${exposure.cost} · cache ${exposure.cacheTtlMs / 1000}s · max ${exposure.maxRows} rows · timeout ${
    exposure.timeoutMs / 1000
  }s · <code>kql/${esc(fn.file)}</code></p>
<p><code>GET|POST /api/v1/functions/${esc(fn.name)}</code> · GraphQL field <code>${esc(fn.name)}</code></p>
<table><tr><th>parameter</th><th>type</th><th>default</th><th>range</th></tr>${params}</table>
<table><tr><th>output column</th><th>type</th></tr>${columns}</table>
<form data-fn="${esc(fn.name)}">${inputs}<button>Run</button><pre></pre></form></section>`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
