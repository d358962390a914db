/**
 * Raises V8's interrupt budget — how long a function runs before V8 considers optimizing it — while `npm start`
 * starts, and puts the default back once the gateway listens.
 *
 * Why: the first seconds run a lot of code once (module loading, Kusto.Language's start-up, the first analyses of
 * kql/). With the default budget V8 spends over a second of CPU in its background threads optimizing functions
 * that will hardly run again — on a 2-core machine, a good part of a core during exactly the seconds everything
 * waits for. Measured in alternating fresh starts (2-core VM, Node.js 20): the first event 0.3–0.6 s sooner.
 * Afterwards the default matters: kept raised, the request path was optimized so late that a cached call cost
 * about twice the CPU in a 10-second benchmark.
 *
 * Imported first by main.ts: V8 reads the budget when a function first gets its feedback. Flags are per process,
 * so this covers the worker threads too.
 */
import { setFlagsFromString } from 'node:v8';

/** V8 11's default (Node.js 20): 66 KiB of bytecode executed. */
const V8_11_DEFAULT_BUDGET = 67_584;
const STARTUP_BUDGET = 8 * V8_11_DEFAULT_BUDGET;

// Only where it was measured and the default is known: later V8 versions changed their tiering.
const applies = Number(process.versions.v8.split('.')[0]) === 11;
if (applies) {
  setFlagsFromString(`--interrupt-budget=${STARTUP_BUDGET}`);
}

/** Puts V8's default budget back (each function picks it up at its next budget reset). */
export function restoreJitBudget(): void {
  if (applies) {
    setFlagsFromString(`--interrupt-budget=${V8_11_DEFAULT_BUDGET}`);
  }
}
