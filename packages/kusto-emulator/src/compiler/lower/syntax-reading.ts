/** Small readers over the analyzed syntax tree that every part of lowering uses. */
import {
  child,
  type KNode,
  listElements,
  nameText,
  requiredChild,
  syntaxKind,
} from '../parse/kusto-syntax.js';

/** The argument expressions of a call, in order (named ones included, as `name = value`). */
export function callArguments(node: KNode): KNode[] {
  const list = child(node, 'ArgumentList');
  return list ? listElements(child(list, 'Expressions')) : [];
}

/** The text of an operator's `name=value` parameter (`kind=inner`, `withsource=T`), lower-cased name. */
export function namedParameter(op: KNode, name: string): string | undefined {
  for (const p of listElements(child(op, 'Parameters'))) {
    if (syntaxKind(p) === 'NamedParameter' && nameText(requiredChild(p, 'Name')).toLowerCase() === name) {
      const value = requiredChild(p, 'Expression');
      return nameText(value) || value.toString().trim();
    }
  }
  return undefined;
}

/** `name = expr` → `expr`; anything else unchanged. */
export function unnamed(node: KNode): KNode {
  return syntaxKind(node) === 'SimpleNamedExpression' ? requiredChild(node, 'Expression') : node;
}

/** A node's first line (shortened) and syntax kind, for error messages. */
export function describe(node: KNode): string {
  const text = node.toString().trim().split('\n')[0];
  const kind = syntaxKind(node);
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `${short} (${kind})`;
}

/** Whether a call refers to a built-in function (as opposed to a stored or `let` one). */
export function isBuiltin(node: KNode): boolean {
  const symbol = node.ReferencedSymbol as unknown as { IsBuiltIn?: boolean } | null;
  return symbol?.IsBuiltIn === true;
}
