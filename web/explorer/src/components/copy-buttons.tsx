import { useState } from 'preact/hooks';
import type { CopySnippets } from '../copy/copy-snippets.js';

const LABELS: Record<keyof CopySnippets, string> = {
  curl: 'curl',
  graphql: 'GraphQL',
  typescript: 'typed client call',
};

/** "Copy as" buttons; the text copied is shown too, so it can be read (or selected) where the clipboard is off. */
export function CopyButtons({ snippets }: { snippets: CopySnippets }) {
  const [shown, setShown] = useState<keyof CopySnippets | undefined>(undefined);
  const [status, setStatus] = useState('');
  const copy = async (which: keyof CopySnippets) => {
    setShown(which);
    try {
      await navigator.clipboard.writeText(snippets[which]);
      setStatus(`Copied as ${LABELS[which]}`);
    } catch {
      setStatus(`The clipboard is not available: select the ${LABELS[which]} text below`);
    }
  };
  return (
    <div class="copy">
      <span>Copy as</span>
      {(Object.keys(LABELS) as (keyof CopySnippets)[]).map((which) => (
        <button type="button" key={which} onClick={() => void copy(which)}>
          {LABELS[which]}
        </button>
      ))}
      <span class="status" aria-live="polite">
        {status}
      </span>
      {shown ? <pre aria-label={`${LABELS[shown]} snippet`}>{snippets[shown]}</pre> : null}
    </div>
  );
}
