/**
 * Kusto.Language diagnostics that the KQL reference contradicts: Kusto.Language 12.4.1 rejects a form the reference
 * documents (and ADX runs), while it still binds the call with the documented result type. The engine implements
 * these forms, so such a diagnostic is dropped — only where it is exactly that divergence, never for the same
 * diagnostic code elsewhere.
 *
 * - `make_timespan(hour, minute, second)`, `make_timespan(day, hour, minute, second)`: the reference types
 *   *second* as real ("A value from 0 to 59.9999999", make-timespan-function.md; its example is
 *   `make_timespan(1,12,30,55.123)` = `1.12:30:55.1230000`); Kusto.Language declares every parameter an integer and
 *   reports KS134 ("The expression value must be an integer") on a real second. Any other argument, or a second of
 *   another type (a string), keeps the error.
 */
/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" />
import { kustoLanguage } from '@kqlgate/kql-language';
import { callArguments } from '../lower/syntax-reading.js';
import { type KDiagnostic, type KNode, syntaxKind } from '../parse/kusto-syntax.js';

/** Whether the reference documents, as valid, the form this diagnostic rejects. */
export function contradictedByReference(root: KNode, diagnostic: KDiagnostic): boolean {
  return diagnostic.Code === 'KS134' && isRealSecondOfMakeTimespan(root, diagnostic);
}

function isRealSecondOfMakeTimespan(root: KNode, diagnostic: KDiagnostic): boolean {
  const token = (root as unknown as Kusto.Language.Syntax.SyntaxNode).GetTokenAt(diagnostic.Start);
  for (let node: Kusto.Language.Syntax.SyntaxNode | null = token?.Parent ?? null; node; node = node.Parent) {
    const call = node as unknown as KNode;
    if (syntaxKind(call) !== 'FunctionCallExpression') {
      continue;
    }
    const args = callArguments(call);
    const second = args.at(-1);
    return (
      // The built-in itself, not a `let make_timespan = …` of the query.
      call.ReferencedSymbol === (kustoLanguage().Functions.MakeTimespan as unknown) &&
      (args.length === 3 || args.length === 4) &&
      second !== undefined &&
      second.ResultType?.Name === 'real' &&
      second.TextStart <= diagnostic.Start &&
      diagnostic.Start < (second as unknown as Kusto.Language.Syntax.SyntaxNode).End
    );
  }
  return false;
}
