import { GraphiQL } from 'graphiql';
import { createElement as h, useMemo, useState, type FormEvent } from 'react';
import { credentialStore } from '../../explorer/src/api/credential-store.js';
import { graphqlFetcher } from './graphql-fetcher.js';

/**
 * The IDE: a credential bar (the explorer's: same sessionStorage entry, so a token entered there is used here) above
 * GraphiQL. Applying a credential makes a new fetcher, on which GraphiQL introspects again with that caller's rights.
 * GraphiQL keeps its tabs and editors in sessionStorage too: nothing of a session outlives the tab.
 */
export function GraphiqlApp() {
  const [credential, setCredential] = useState(() => credentialStore.read());
  const [draft, setDraft] = useState(credential);
  const fetcher = useMemo(() => graphqlFetcher(credential), [credential]);
  const apply = (event: FormEvent) => {
    event.preventDefault();
    credentialStore.write(draft.trim());
    setCredential(draft.trim());
  };
  return h(
    'div',
    { className: 'ide' },
    h(
      'form',
      { className: 'credential', onSubmit: apply },
      h('label', { htmlFor: 'credential' }, 'Token or API key'),
      h('input', {
        id: 'credential',
        type: 'password',
        autoComplete: 'off',
        value: draft,
        placeholder: 'none: anonymous',
        onChange: (event: FormEvent<HTMLInputElement>) => setDraft(event.currentTarget.value),
      }),
      h('button', { type: 'submit' }, 'Use'),
    ),
    h(GraphiQL, { key: credential, fetcher, storage: sessionStorage }),
  );
}
