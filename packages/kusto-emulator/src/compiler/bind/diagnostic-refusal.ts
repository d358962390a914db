/**
 * Kusto.Language rejects some documented KQL that the engine does not implement either: a plugin it does not know
 * (`evaluate schema_merge()`), an operator keyword it cannot parse (`graph-merge`), arguments it types differently
 * inside an operator the engine refuses anyway (bag_unpack's `ignoredProperties`). Its raw diagnostic would read as
 * the user's mistake ("The plug-in function 'schema_merge' is not defined"), while the query is valid KQL the local
 * engine cannot run: the honest answer is the engine's ordinary refusal, naming the construct and its position —
 * the same text the lower stage gives for that operator when the analysis passes.
 *
 * Everything else stays the syntax or semantic error it is (a misspelt column, a missing parenthesis, an unknown
 * operator keyword that is no documented KQL operator), so that a real mistake keeps its precise line and column.
 */
/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" />
import { kustoLanguage } from '@kqlgate/kql-language';
import { KqlCompileError } from '../kql-compile-error.js';
import { lowersOperator } from '../lower/operators/operator-table.js';
import { positionAt } from '../lower/source-position.js';
import { describe } from '../lower/syntax-reading.js';
import { type KDiagnostic, type KNode, syntaxKind } from '../parse/kusto-syntax.js';

/**
 * Documented query operators (learn.microsoft.com/kusto/query/<name>-operator) that Kusto.Language 12.4.1 does not
 * parse: it reports "Query operator expected" at the keyword. The engine implements none of them. The unit spec
 * checks that Kusto.Language still rejects each one, so that an upgrade that learns one prunes this list.
 */
export const OPERATORS_UNKNOWN_TO_KUSTO_LANGUAGE: ReadonlySet<string> = new Set(['graph-merge']);

/** The engine's refusal for a diagnostic about a construct it does not implement, or undefined for any other. */
export function refusalForDiagnostic(
  text: string,
  root: KNode,
  diagnostic: KDiagnostic,
  kind: 'SYNTAX' | 'SEMANTIC',
): KqlCompileError | undefined {
  return kind === 'SYNTAX'
    ? unknownOperatorRefusal(text, diagnostic)
    : refusedOperatorAround(text, root, diagnostic.Start);
}

/** `| graph-merge …`: Kusto.Language stops at the keyword of an operator it does not know. */
function unknownOperatorRefusal(text: string, diagnostic: KDiagnostic): KqlCompileError | undefined {
  // The diagnostic starts at the blank before the keyword.
  const match = /^\s*([A-Za-z][\w-]*)/.exec(text.slice(diagnostic.Start));
  const keyword = match?.[1];
  const afterPipe = /\|\s*$/.test(text.slice(0, diagnostic.Start));
  if (!match || !keyword || !afterPipe || !OPERATORS_UNKNOWN_TO_KUSTO_LANGUAGE.has(keyword.toLowerCase())) {
    return undefined;
  }
  const offset = diagnostic.Start + match[0].length - keyword.length;
  return KqlCompileError.unsupported(`operator '${keyword}'`, positionAt(text, offset));
}

/**
 * A semantic diagnostic inside a query operator the engine does not lower (`evaluate`, `make-graph`,
 * `graph-match`…): the innermost such operator around it, refused as the lower stage refuses it.
 */
function refusedOperatorAround(text: string, root: KNode, offset: number): KqlCompileError | undefined {
  const syntax = kustoLanguage().Syntax;
  const token = (root as unknown as Kusto.Language.Syntax.SyntaxNode).GetTokenAt(offset);
  for (let node: Kusto.Language.Syntax.SyntaxNode | null = token?.Parent ?? null; node; node = node.Parent) {
    const candidate = node as unknown as KNode;
    const kind = syntaxKind(candidate);
    // A BadQueryOperator is the parser's stand-in for text it could not read: a syntax error, not a construct.
    if (node instanceof syntax.QueryOperator && kind !== 'BadQueryOperator' && !lowersOperator(kind)) {
      return KqlCompileError.unsupported(
        `operator '${describe(candidate)}'`,
        positionAt(text, candidate.TextStart),
      );
    }
  }
  return undefined;
}
