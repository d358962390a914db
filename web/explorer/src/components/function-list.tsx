import type { ExplorerFunction } from '../api/explorer-function.js';

interface Props {
  functions: readonly ExplorerFunction[];
  search: string;
  selected: string | undefined;
  onSearch: (search: string) => void;
  onSelect: (name: string) => void;
}

/** Functions matching the search in name, folder or docstring, case-insensitively. */
export function matchingFunctions(
  functions: readonly ExplorerFunction[],
  search: string,
): ExplorerFunction[] {
  const needle = search.trim().toLowerCase();
  return functions.filter((fn) =>
    needle === '' ? true : `${fn.name} ${fn.folder} ${fn.summary}`.toLowerCase().includes(needle),
  );
}

/** Arrow keys move between the function buttons of the list; Home and End jump to the ends. */
function moveFocus(event: KeyboardEvent): void {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(event.key)) {
    return;
  }
  const nav = (event.currentTarget as HTMLElement | null) ?? undefined;
  const buttons = [...(nav?.querySelectorAll<HTMLButtonElement>('button.fn') ?? [])];
  const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next =
    event.key === 'Home'
      ? 0
      : event.key === 'End'
        ? buttons.length - 1
        : Math.min(buttons.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)));
  buttons[next]?.focus();
  event.preventDefault();
}

/** The callable functions, searchable and grouped by folder. Enter in the search box opens the first match. */
export function FunctionList({ functions, search, selected, onSearch, onSelect }: Props) {
  const shown = matchingFunctions(functions, search);
  const folders = [...new Set(shown.map((fn) => fn.folder))];
  return (
    <nav aria-label="Functions" onKeyDown={moveFocus}>
      <label for="search">Search functions</label>
      <input
        id="search"
        type="search"
        value={search}
        placeholder="name, folder or text"
        onInput={(event) => onSearch(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && shown[0]) {
            onSelect(shown[0].name);
          }
        }}
      />
      <p class="count" aria-live="polite">
        {shown.length} of {functions.length} functions
      </p>
      {folders.map((folder) => (
        <section key={folder} aria-label={`Folder ${folder}`}>
          <h2>{folder}</h2>
          <ul>
            {shown
              .filter((fn) => fn.folder === folder)
              .map((fn) => (
                <li key={fn.name}>
                  <button
                    type="button"
                    class="fn"
                    aria-current={fn.name === selected ? 'true' : undefined}
                    title={fn.summary}
                    onClick={() => onSelect(fn.name)}
                  >
                    {fn.name}
                  </button>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </nav>
  );
}
