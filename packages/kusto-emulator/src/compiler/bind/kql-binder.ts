/**
 * Bind stage, part 2: Kusto.Language semantic analysis over the parsed tree (names → symbols, types,
 * result schemas, function expansions). Semantic errors → SEMANTIC with Kusto's own message and code, except inside
 * an operator the engine does not implement, which it refuses by name (`diagnostic-refusal.ts`), and the few
 * diagnostics the KQL reference contradicts (`reference-divergence.ts`).
 * The analysis itself ran with the parse (see `parse/kql-parser.ts`); this stage checks and exposes it.
 */
import type { KNode } from '../parse/kusto-syntax.js';
import { diagnosticError, errorsOf, type ParsedKql } from '../parse/kql-parser.js';
import { refusalForDiagnostic } from './diagnostic-refusal.js';
import { contradictedByReference } from './reference-divergence.js';

export interface BoundKql {
  readonly text: string;
  readonly root: KNode;
}

export function bindKql(parsed: ParsedKql): BoundKql {
  const analyzed = parsed.code;
  if (!analyzed.HasSemantics || !analyzed.Syntax) {
    throw new Error('Kusto.Language returned no analyzed tree');
  }
  const root = analyzed.Syntax as unknown as KNode;
  const errors = errorsOf(analyzed.GetDiagnostics()).filter((d) => !contradictedByReference(root, d));
  if (errors.length > 0) {
    throw (
      refusalForDiagnostic(parsed.text, root, errors[0], 'SEMANTIC') ??
      diagnosticError('SEMANTIC', parsed.text, errors[0])
    );
  }
  return { text: parsed.text, root };
}
