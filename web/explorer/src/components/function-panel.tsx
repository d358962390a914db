import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ExplorerFunction, FunctionResult, Problem } from '../api/explorer-function.js';
import { callFunction, streamFunction } from '../api/gateway-client.js';
import { planChart } from '../chart/chart-plan.js';
import { ResultChart } from '../chart/result-chart.js';
import { copySnippets } from '../copy/copy-snippets.js';
import { CopyButtons } from './copy-buttons.js';
import { FunctionFacts } from './function-facts.js';
import { FunctionForm } from './function-form.js';
import { ProblemView } from './problem-view.js';
import { ResultTable } from './result-table.js';

interface Props {
  fn: ExplorerFunction;
  credential: string;
}

/**
 * One function: its facts, its form, Run, the live toggle and the result as chart and table. Live mode reads the
 * function's SSE stream with the form's values; each pushed result replaces the shown one, so the chart moves when
 * ingestion lands data. Changing the form or the function stops it.
 */
export function FunctionPanel({ fn, credential }: Props) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [result, setResult] = useState<FunctionResult | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [running, setRunning] = useState(false);
  const [live, setLive] = useState(false);
  const [updates, setUpdates] = useState(0);
  const stream = useRef<AbortController | undefined>(undefined);

  const stopLive = () => {
    stream.current?.abort();
    stream.current = undefined;
    setLive(false);
  };
  useEffect(() => {
    setValues({});
    setResult(undefined);
    setProblem(undefined);
    setUpdates(0);
    return stopLive;
  }, [fn.name, credential]);

  const run = async () => {
    stopLive();
    setRunning(true);
    const outcome = await callFunction(fn.name, values, credential);
    setRunning(false);
    if (outcome.ok) {
      setResult(outcome.value);
      setProblem(undefined);
    } else {
      setProblem(outcome.problem);
    }
  };

  const toggleLive = (on: boolean) => {
    if (!on) {
      stopLive();
      return;
    }
    setLive(true);
    setUpdates(0);
    setProblem(undefined);
    stream.current = streamFunction(fn.name, values, credential, {
      onResult: (next) => {
        setResult(next);
        setUpdates((count) => count + 1);
      },
      onEnd: (ended) => {
        stream.current = undefined;
        setLive(false);
        if (ended) {
          setProblem(ended);
        }
      },
    });
  };

  const plan = useMemo(
    () => (result ? planChart(result.meta.columns, fn.chart) : undefined),
    [result?.meta.columns, fn.chart],
  );
  const snippets = copySnippets(fn, values, location.origin, credential.trim().startsWith('kqg_'));

  return (
    <section class="function" aria-labelledby="function-name">
      <h1 id="function-name">{fn.name}</h1>
      <FunctionFacts fn={fn} />
      <FunctionForm
        fn={fn}
        values={values}
        running={running}
        onChange={(name, value) => {
          stopLive();
          setValues((old) => ({ ...old, [name]: value }));
        }}
        onRun={() => void run()}
      />
      <div class="live">
        <label>
          <input
            type="checkbox"
            role="switch"
            checked={live}
            onChange={(event) => toggleLive(event.currentTarget.checked)}
          />{' '}
          Live (re-run when ingestion lands data)
        </label>
        <span class="status" aria-live="polite">
          {live ? `live · ${updates} update${updates === 1 ? '' : 's'} received` : ''}
        </span>
      </div>
      <CopyButtons snippets={snippets} />
      {problem ? <ProblemView problem={problem} /> : null}
      {result && plan ? <ResultChart plan={plan} result={result} /> : null}
      {result && !plan ? (
        <p class="no-chart">No chart: the result has no datetime or string column with numbers.</p>
      ) : null}
      {result ? <ResultTable result={result} /> : null}
    </section>
  );
}
