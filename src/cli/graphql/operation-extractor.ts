import type { DefinitionNode, DocumentNode, FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import { graphqlJs } from '../../modules/graphql/graphql-runtime.js';
import { documentHash } from '../../modules/graphql/trusted-document.registry.js';

const { GraphQLError, Kind, parse, print, visit } = graphqlJs;

/** A front-end's GraphQL source file: where it is (as reported) and its text. */
export interface OperationSource {
  readonly path: string;
  readonly text: string;
}

/** What `kqlgate graphql extract` writes (the GRAPHQL_TRUSTED_DOCUMENTS manifest) or why it cannot. */
export interface ExtractedOperations {
  /** sha256 of each document → the document: one named operation and the fragments it uses, printed. */
  readonly manifest: Readonly<Record<string, string>>;
  /** One line per problem, `file:line: message`; the manifest is not to be written when there is any. */
  readonly problems: readonly string[];
}

interface Located<T extends DefinitionNode> {
  readonly node: T;
  readonly where: string;
}

function lineOf(source: OperationSource, node: DefinitionNode): string {
  return `${source.path}:${node.loc?.startToken.line ?? 1}`;
}

/**
 * Collects the named operations of a front-end's `.graphql` files into trusted documents. A document is the
 * operation printed by graphql-js followed by the fragments it uses (transitively, by name order), so that what a
 * client that prints its documents the same way sends hashes to the manifest's key. Anonymous operations and
 * duplicate operation or fragment names are refused with where they are: the gateway's registry and the clients'
 * hashes both need one document per name.
 */
export function extractOperations(sources: readonly OperationSource[]): ExtractedOperations {
  const problems: string[] = [];
  const operations = new Map<string, Located<OperationDefinitionNode>>();
  const fragments = new Map<string, Located<FragmentDefinitionNode>>();
  for (const source of sources) {
    let document: DocumentNode;
    try {
      document = parse(source.text);
    } catch (error) {
      const location = error instanceof GraphQLError ? error.locations?.[0] : undefined;
      problems.push(
        `${source.path}:${location ? `${location.line}:${location.column}` : '1'}: ${(error as Error).message}`,
      );
      continue;
    }
    for (const definition of document.definitions) {
      const where = lineOf(source, definition);
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        const name = definition.name?.value;
        if (!name) {
          problems.push(`${where}: anonymous operation; give it a name (query Name { … })`);
          continue;
        }
        const first = operations.get(name);
        if (first) {
          problems.push(`${where}: duplicate operation name ${name} (first at ${first.where})`);
          continue;
        }
        operations.set(name, { node: definition, where });
      } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const name = definition.name.value;
        const first = fragments.get(name);
        if (first) {
          problems.push(`${where}: duplicate fragment name ${name} (first at ${first.where})`);
          continue;
        }
        fragments.set(name, { node: definition, where });
      }
    }
  }
  const manifest: Record<string, string> = {};
  for (const [name, operation] of operations) {
    const used = usedFragments(operation.node, fragments);
    for (const missing of used.missing) {
      problems.push(`${operation.where}: operation ${name} uses unknown fragment ${missing}`);
    }
    const text = [operation.node, ...used.found].map((node) => print(node)).join('\n\n');
    manifest[documentHash(text)] = text;
  }
  return { manifest: problems.length > 0 ? {} : manifest, problems };
}

/** The fragments an operation spreads, directly or through other fragments, in name order. */
function usedFragments(
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, Located<FragmentDefinitionNode>>,
): { found: FragmentDefinitionNode[]; missing: string[] } {
  const seen = new Set<string>();
  const missing: string[] = [];
  const pending: DefinitionNode[] = [operation];
  for (let node = pending.pop(); node; node = pending.pop()) {
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        if (seen.has(name)) {
          return;
        }
        seen.add(name);
        const fragment = fragments.get(name);
        if (fragment) {
          pending.push(fragment.node);
        } else {
          missing.push(name);
        }
      },
    });
  }
  const found = [...seen].sort().flatMap((name) => {
    const fragment = fragments.get(name);
    return fragment ? [fragment.node] : [];
  });
  return { found, missing };
}
