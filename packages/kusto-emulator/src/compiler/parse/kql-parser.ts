/**
 * Parse stage: KQL text → Kusto.Language syntax tree (Microsoft's parser), syntax errors → SYNTAX (or the engine's
 * refusal when the error is about a documented operator Kusto.Language does not know, see `diagnostic-refusal.ts`).
 *
 * The tree is parsed and analyzed in one `KustoCode.ParseAndAnalyze` call: `KustoCode.Analyze()` on a
 * parsed-only code re-runs the parser over the tokens, so parsing first and analyzing after would parse
 * every query twice. Diagnostics are collected once (Kusto.Language memoizes them per code); syntax errors
 * are sorted out from semantic ones only when there are errors at all, and the bind stage reports the rest.
 */
/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" />
import { kustoLanguage } from '@kqlgate/kql-language';
import { KqlCompileError } from '../kql-compile-error.js';
import type { GlobalState } from '../bind/global-state-builder.js';
import { refusalForDiagnostic } from '../bind/diagnostic-refusal.js';
import { type KDiagnostic, type KNode, listToArray, type KList } from './kusto-syntax.js';
import { positionAt } from '../lower/source-position.js';

export interface ParsedKql {
  readonly text: string;
  readonly code: Kusto.Language.KustoCode;
}

export function errorsOf(diagnostics: unknown): KDiagnostic[] {
  return listToArray(diagnostics as KList<KDiagnostic>).filter((d) => d.Severity === 'Error');
}

export function diagnosticError(code: 'SYNTAX' | 'SEMANTIC', text: string, d: KDiagnostic): KqlCompileError {
  const position = positionAt(text, d.Start);
  // Name what is at the position (e.g. a misspelt operator) so the message stands on its own.
  const near = /^\s*([^\s|;,()]+)/.exec(text.slice(d.Start))?.[1];
  const suffix = near && !d.Message.includes(`'${near}'`) ? ` (near '${near.slice(0, 40)}')` : '';
  return new KqlCompileError(code, `${d.Code}: ${d.Message}${suffix}`, position, {
    diagnostic: d.Code,
  });
}

export function parseKql(text: string, globals: GlobalState): ParsedKql {
  const code = kustoLanguage().KustoCode.ParseAndAnalyze(text, globals);
  if (!code) {
    throw new KqlCompileError('SYNTAX', 'Syntax error: the query could not be parsed');
  }
  if (errorsOf(code.GetDiagnostics()).length > 0) {
    const syntaxErrors = errorsOf(code.GetSyntaxDiagnostics());
    if (syntaxErrors.length > 0) {
      const root = code.Syntax as unknown as KNode;
      throw (
        refusalForDiagnostic(text, root, syntaxErrors[0], 'SYNTAX') ??
        diagnosticError('SYNTAX', text, syntaxErrors[0])
      );
    }
  }
  return { text, code };
}
