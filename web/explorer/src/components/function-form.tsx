import type { ExplorerFunction, ExplorerParameter } from '../api/explorer-function.js';

interface Props {
  fn: ExplorerFunction;
  values: Readonly<Record<string, string>>;
  running: boolean;
  onChange: (name: string, value: string) => void;
  onRun: () => void;
}

/** Numbers are typed as text (a long may exceed what a number input holds); the keyboard still offers digits. */
function inputMode(p: ExplorerParameter): 'decimal' | 'numeric' | 'text' {
  return p.type === 'real' || p.type === 'decimal'
    ? 'decimal'
    : p.type === 'int' || p.type === 'long'
      ? 'numeric'
      : 'text';
}

/**
 * One labelled field per parameter the caller supplies, typed from the KQL type, with the default as placeholder
 * (an empty field sends nothing, so the function's own default applies) and the OpenAPI description as hint.
 */
export function FunctionForm({ fn, values, running, onChange, onRun }: Props) {
  return (
    <form
      class="params"
      aria-label={`Parameters of ${fn.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        onRun();
      }}
    >
      {fn.parameters.length === 0 ? <p>No parameters.</p> : null}
      {fn.parameters.map((p) => (
        <div class="field" key={p.name}>
          <label for={`param-${p.name}`}>
            {p.name}
            {p.required ? ' (required)' : ''}
          </label>
          {p.type === 'bool' ? (
            <select
              id={`param-${p.name}`}
              value={values[p.name] ?? ''}
              aria-describedby={`hint-${p.name}`}
              onChange={(event) => onChange(p.name, event.currentTarget.value)}
            >
              <option value="">{p.defaultText === undefined ? '—' : `default (${p.defaultText})`}</option>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : (
            <input
              id={`param-${p.name}`}
              type="text"
              inputMode={inputMode(p)}
              value={values[p.name] ?? ''}
              placeholder={p.defaultText}
              required={p.required}
              maxLength={p.maxLength}
              aria-describedby={`hint-${p.name}`}
              onInput={(event) => onChange(p.name, event.currentTarget.value)}
            />
          )}
          <small id={`hint-${p.name}`}>{p.description}</small>
        </div>
      ))}
      <button type="submit" disabled={running}>
        {running ? 'Running…' : 'Run'}
      </button>
    </form>
  );
}
