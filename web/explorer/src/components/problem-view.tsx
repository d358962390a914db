import type { Problem } from '../api/explorer-function.js';

/** A refusal or failure as the API gave it: title, status and code, detail, and each bad parameter. */
export function ProblemView({ problem }: { problem: Problem }) {
  return (
    <div class="problem" role="alert">
      <strong>{problem.title}</strong>
      {problem.status > 0
        ? ` (${problem.status}${problem.code ? ` ${problem.code}` : ''})`
        : problem.code
          ? ` (${problem.code})`
          : ''}
      {problem.detail ? <p>{problem.detail}</p> : null}
      {problem.parameters && problem.parameters.length > 0 ? (
        <ul>
          {problem.parameters.map((p) => (
            <li key={p.parameter}>
              <code>{p.parameter}</code>: {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
