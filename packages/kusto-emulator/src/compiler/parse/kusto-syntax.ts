/**
 * A narrow, typed view of the Kusto.Language (Bridge.NET) objects the compiler reads. The generated
 * declarations are huge and model C# generics; the compiler only needs a handful of members, so it sees
 * them through these interfaces and the accessors below, and nothing else touches the raw objects.
 */
import { kustoLanguage } from '@kqlgate/kql-language';

export interface KList<T> {
  Count: number;
  getItem(index: number): T;
}

export interface KType {
  Kind: number;
  Name: string;
  /** Present on table types. */
  Columns?: KList<KColumn>;
}

export interface KColumn {
  Name: string;
  Type: KType;
}

export interface KSymbol {
  Kind: number;
  Name: string;
}

export interface KDiagnostic {
  Severity: string;
  Code: string;
  Message: string;
  Start: number;
  Length: number;
}

export interface KNode {
  Kind: number;
  IsToken: boolean;
  IsMissing: boolean;
  ChildCount: number;
  TextStart: number;
  Text: string;
  ValueText: string;
  ResultType: KType | null;
  ReferencedSymbol: KSymbol | null;
  IsConstant: boolean;
  ConstantValue: unknown;
  LiteralValue: unknown;
  GetChild(index: number): KNode | null;
  GetName(index: number): string;
  GetExpansion(): KNode | null;
  /** With `IncludeTrivia.Interior`: the node's text without the comments and blanks around it. */
  ToString(includeTrivia: number): string;
  toString(): string;
}

interface SyntaxKindNames {
  syntax: Record<number, string>;
  symbol: Record<number, string>;
}

let names: SyntaxKindNames | undefined;

function enumNames(enumObject: object): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [key, value] of Object.entries(enumObject)) {
    if (typeof value === 'number') {
      out[value] = key;
    }
  }
  return out;
}

function kindNames(): SyntaxKindNames {
  if (!names) {
    const k = kustoLanguage();
    names = { syntax: enumNames(k.Syntax.SyntaxKind), symbol: enumNames(k.Symbols.SymbolKind) };
  }
  return names;
}

/** The SyntaxKind name, e.g. `FilterOperator`, `GreaterThanExpression`, `LongLiteralExpression`. */
export function syntaxKind(node: KNode): string {
  return kindNames().syntax[node.Kind] ?? `Kind${node.Kind}`;
}

/** The SymbolKind name, e.g. `Column`, `Table`, `Function`, `Variable`, `Parameter`. */
export function symbolKind(symbol: KSymbol): string {
  return kindNames().symbol[symbol.Kind] ?? `Kind${symbol.Kind}`;
}

/** A named child (`Left`, `Expression`, `Operator`…), as Kusto.Language names its properties. */
export function child(node: KNode, name: string): KNode | null {
  for (let i = 0; i < node.ChildCount; i++) {
    if (node.GetName(i) === name) {
      return node.GetChild(i);
    }
  }
  return null;
}

export function requiredChild(node: KNode, name: string): KNode {
  const c = child(node, name);
  if (!c) {
    throw new Error(`Kusto syntax node ${syntaxKind(node)} has no child ${name}`);
  }
  return c;
}

/** Elements of a `SyntaxList` of `SeparatedElement`s (or plain elements), separators dropped. */
export function listElements(list: KNode | null): KNode[] {
  const out: KNode[] = [];
  if (!list) {
    return out;
  }
  for (let i = 0; i < list.ChildCount; i++) {
    const item = list.GetChild(i);
    if (!item) {
      continue;
    }
    if (syntaxKind(item) === 'SeparatedElement') {
      const element = item.GetChild(0);
      if (element) {
        out.push(element);
      }
    } else if (!item.IsToken) {
      out.push(item);
    }
  }
  return out;
}

export function columnsOf(type: KType | null): { name: string; type: string }[] {
  const columns = type?.Columns;
  if (!columns) {
    return [];
  }
  const out: { name: string; type: string }[] = [];
  for (let i = 0; i < columns.Count; i++) {
    const c = columns.getItem(i);
    out.push({ name: c.Name, type: c.Type.Name });
  }
  return out;
}

export function listToArray<T>(list: KList<T> | null | undefined): T[] {
  const out: T[] = [];
  if (!list) {
    return out;
  }
  for (let i = 0; i < list.Count; i++) {
    out.push(list.getItem(i));
  }
  return out;
}

/** Text of a name node (`TokenName`, `BracketedName`, `NameDeclaration`, `NameReference`). */
export function nameText(node: KNode): string {
  if (node.ReferencedSymbol && syntaxKind(node) === 'NameReference') {
    return node.ReferencedSymbol.Name;
  }
  const inner = child(node, 'Name');
  if (inner && inner !== node) {
    return nameText(inner);
  }
  return (node as unknown as { SimpleName?: string }).SimpleName ?? node.toString().trim();
}

/**
 * The column name Kusto gives an unnamed expression (`extend abs(x)` names its column `x`, `strlen("a")` names
 * `strlen_`), or null when Kusto numbers it instead (`Column1`). Kusto.Language's own rule, so ours cannot drift.
 */
export function expressionResultName(node: KNode): string | null {
  const facts = kustoLanguage().KustoFacts as unknown as {
    GetExpressionResultName(expr: KNode, defaultName: string | null): string | null;
  };
  const name = facts.GetExpressionResultName(node, null);
  return name === null || name === '' ? null : name;
}

/**
 * A node's own text: without the whitespace and comments before and after it (`toString()` keeps them, so a literal
 * after a `// comment` line would read as that comment), with any inside it.
 */
export function ownText(node: KNode): string {
  return node.ToString(kustoLanguage().Syntax.IncludeTrivia.Interior).trim();
}
