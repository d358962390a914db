import { useEffect, useState } from 'preact/hooks';
import type { ExplorerFunction, Problem } from './api/explorer-function.js';
import { credentialStore } from './api/credential-store.js';
import { loadOpenApi } from './api/gateway-client.js';
import { functionsOf } from './api/openapi-functions.js';
import { FunctionList } from './components/function-list.js';
import { FunctionPanel } from './components/function-panel.js';
import { ProblemView } from './components/problem-view.js';

/**
 * The explorer: a credential field, the functions that credential may call (from its OpenAPI document) and the
 * chosen function's panel. The selected function is kept in the URL fragment so a link opens it.
 */
export function ExplorerApp() {
  const [credential, setCredential] = useState(credentialStore.read());
  const [draft, setDraft] = useState(credential);
  const [functions, setFunctions] = useState<ExplorerFunction[]>([]);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string | undefined>(
    decodeURIComponent(location.hash.slice(1)) || undefined,
  );

  useEffect(() => {
    let current = true;
    void loadOpenApi(credential).then((outcome) => {
      if (!current) {
        return;
      }
      if (outcome.ok) {
        setFunctions(functionsOf(outcome.value));
        setProblem(undefined);
      } else {
        setFunctions([]);
        setProblem(outcome.problem);
      }
    });
    return () => {
      current = false;
    };
  }, [credential]);

  const select = (name: string) => {
    setSelected(name);
    history.replaceState(null, '', `#${encodeURIComponent(name)}`);
  };
  const fn = functions.find((f) => f.name === selected);

  return (
    <>
      <header>
        <strong>kqlgate explorer</strong>
        <a href="/api/v1/openapi.json">OpenAPI document</a>
        <form
          class="credential"
          onSubmit={(event) => {
            event.preventDefault();
            credentialStore.write(draft.trim());
            setCredential(draft.trim());
          }}
        >
          <label for="credential">Token or API key</label>
          <input
            id="credential"
            type="password"
            autocomplete="off"
            value={draft}
            placeholder="JWT or kqg_… key (kept for this tab only)"
            onInput={(event) => setDraft(event.currentTarget.value)}
          />
          <button type="submit">Use</button>
        </form>
      </header>
      <main>
        <FunctionList
          functions={functions}
          search={search}
          selected={selected}
          onSearch={setSearch}
          onSelect={select}
        />
        <div class="content">
          {problem ? <ProblemView problem={problem} /> : null}
          {fn ? (
            <FunctionPanel key={fn.name} fn={fn} credential={credential} />
          ) : (
            <p class="hint">
              {functions.length === 0
                ? 'No function is callable with this credential. Enter a token or API key above.'
                : 'Pick a function on the left.'}
            </p>
          )}
        </div>
      </main>
    </>
  );
}
