/**
 * Reads a Bicep file with tree-sitter's Bicep grammar (tree-sitter-bicep, run by web-tree-sitter from its WebAssembly
 * build) and lists what the static checks of infra/ compare: syntax errors, parameters, modules with the parameters
 * they pass, resource types and API versions, outputs, and the object literals of the file.
 *
 * No Bicep compiler runs here (it is a .NET program that the npm registry and Debian's packages do not carry), so
 * this is a grammar-level reading: it finds syntax errors and names that do not line up between files, not type
 * errors against the Azure resource schemas. The grammar is not Microsoft's: where it rejects valid Bicep the
 * reported line is the place to look (a string starting with `//` is one such case).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

export interface BicepParameter {
  readonly name: string;
  readonly hasDefault: boolean;
}

export interface BicepModuleUse {
  readonly symbol: string;
  /** As written, relative to the file that uses it. */
  readonly path: string;
  readonly params: readonly string[];
  readonly line: number;
}

export interface BicepResourceType {
  /** `Microsoft.App/containerApps` for `'Microsoft.App/containerApps@2025-01-01'`. */
  readonly type: string;
  readonly apiVersion: string;
  readonly line: number;
}

/** An object literal: its properties by name (identifier or quoted key), each with its value node. */
export type BicepObject = ReadonlyMap<string, Node>;

export interface BicepFile {
  readonly path: string;
  /** `path:line:column: …`, one per ERROR or MISSING node of the syntax tree. */
  readonly syntaxErrors: readonly string[];
  readonly parameters: readonly BicepParameter[];
  readonly modules: readonly BicepModuleUse[];
  /** Top-level and nested resource declarations that name a full `Type@version` (child shorthands excluded). */
  readonly resourceTypes: readonly BicepResourceType[];
  readonly outputs: readonly string[];
  readonly objects: readonly BicepObject[];
}

let parser: Promise<Parser> | undefined;

function bicepParser(): Promise<Parser> {
  parser ??= (async () => {
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-bicep/tree-sitter-bicep.wasm');
    const created = new Parser();
    created.setLanguage(await Language.load(wasm));
    return created;
  })();
  return parser;
}

export async function readBicepFile(path: string): Promise<BicepFile> {
  return parseBicep(path, await readFile(path, 'utf8'));
}

export async function parseBicep(path: string, source: string): Promise<BicepFile> {
  const tree = (await bicepParser()).parse(source);
  if (!tree) {
    throw new Error(`${path}: tree-sitter returned no syntax tree`);
  }
  const root = tree.rootNode;
  const nodes = descendants(root);
  return {
    path,
    syntaxErrors: nodes
      .filter((node) => node.type === 'ERROR' || node.isMissing)
      .map(
        (node) =>
          `${path}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ${
            node.isMissing ? `missing ${node.type}` : `unexpected ${JSON.stringify(node.text.slice(0, 40))}`
          }`,
      ),
    parameters: root.namedChildren
      .filter((node) => node.type === 'parameter_declaration')
      .map((node) => ({
        name: node.namedChildren[0].text,
        // identifier, type, then the default value when there is one
        hasDefault: node.namedChildren.length > 2,
      })),
    modules: root.namedChildren
      .filter((node) => node.type === 'module_declaration')
      .map((node) => {
        const [symbol, path, body] = node.namedChildren;
        const object = body.type === 'if_statement' ? body.namedChildren[1] : body;
        const params = objectProperties(object).get('params');
        return {
          symbol: symbol.text,
          path: stringLiteral(path) ?? path.text,
          params: params ? [...objectProperties(params).keys()] : [],
          line: node.startPosition.row + 1,
        };
      }),
    resourceTypes: nodes
      .filter((node) => node.type === 'resource_declaration')
      .flatMap((node) => {
        const typeAndVersion = stringLiteral(node.namedChildren[1]) ?? '';
        const at = typeAndVersion.indexOf('@');
        return at < 0
          ? []
          : [
              {
                type: typeAndVersion.slice(0, at),
                apiVersion: typeAndVersion.slice(at + 1),
                line: node.startPosition.row + 1,
              },
            ];
      }),
    outputs: root.namedChildren
      .filter((node) => node.type === 'output_declaration')
      .map((node) => node.namedChildren[0].text),
    objects: nodes.filter((node) => node.type === 'object').map(objectProperties),
  };
}

/** The text of a string literal without interpolation, else undefined. */
export function stringLiteral(node: Node | undefined): string | undefined {
  if (!node || node.type !== 'string' || node.namedChildren.some((child) => child.type === 'interpolation')) {
    return undefined;
  }
  return node.text.slice(1, -1);
}

function objectProperties(object: Node): BicepObject {
  const properties = new Map<string, Node>();
  for (const property of object.namedChildren) {
    if (property.type !== 'object_property') {
      continue;
    }
    const [key, value] = property.namedChildren;
    properties.set(stringLiteral(key) ?? key.text, value);
  }
  return properties;
}

/** Every node of the tree in source order (iteratively: a deep tree must not exhaust the stack). */
function descendants(root: Node): Node[] {
  const found: Node[] = [];
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    found.push(node);
    pending.push(...[...node.children].reverse());
  }
  return found;
}
