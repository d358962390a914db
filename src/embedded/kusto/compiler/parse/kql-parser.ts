/**
 * Parse stage: KQL text → Kusto.Language syntax tree (Microsoft's parser), syntax errors → SYNTAX.
 */
/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" />
import { kustoLanguage } from '../../../../kql-language/kusto-language.js';
import { KqlCompileError } from '../kql-compile-error.js';
import type { GlobalState } from '../bind/global-state-builder.js';
import { type KDiagnostic, listToArray, type KList } from './kusto-syntax.js';
import { positionAt } from '../lower/kql-lowerer.js';

export interface ParsedKql {
  readonly text: string;
  readonly code: Kusto.Language.KustoCode;
}

export function errorsOf(diagnostics: unknown): KDiagnostic[] {
  return listToArray(diagnostics as KList<KDiagnostic>).filter((d) => d.Severity === 'Error');
}

export function diagnosticError(code: 'SYNTAX' | 'SEMANTIC', text: string, d: KDiagnostic): KqlCompileError {
  const position = positionAt(text, d.Start);
  return new KqlCompileError(
    code,
    `${code === 'SYNTAX' ? 'Syntax error' : 'Semantic error'}: ${d.Code}: ${d.Message}`,
    position,
    {
      diagnostic: d.Code,
    },
  );
}

export function parseKql(text: string, globals: GlobalState): ParsedKql {
  const code = kustoLanguage().KustoCode.Parse(text, globals);
  if (!code) {
    throw new KqlCompileError('SYNTAX', 'Syntax error: the query could not be parsed');
  }
  const errors = errorsOf(code.GetDiagnostics());
  if (errors.length > 0) {
    throw diagnosticError('SYNTAX', text, errors[0]);
  }
  return { text, code };
}
