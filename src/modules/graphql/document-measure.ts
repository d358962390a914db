import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { graphqlJs } from './graphql-runtime.js';

const { Kind, OperationTypeNode } = graphqlJs;

/**
 * What a GraphQL document asks for, measured in one pass over its syntax tree before graphql-js validates it, so
 * that query-limits.ts can refuse an oversized document before any super-linear work (validation's
 * OverlappingFieldsCanBeMerged compares fields pairwise) or any execution.
 *
 * Fragments count each time they are spread — the work they cause — but each fragment is walked once (memoized),
 * so the pass stays linear in the document's size even when fragments spread each other in a diamond that
 * expands exponentially. A cyclic or unknown spread counts 0 here; validation reports it.
 */
export interface DocumentMeasure {
  /** Field selections of every operation (and of fragments no operation spreads), fragments expanded. */
  readonly fields: number;
  /** Aliased field selections, counted like `fields`. */
  readonly aliases: number;
  /**
   * Fields selected under a response name already selected in the same selection set, counting the fields that
   * inline fragments and spread fragments bring into that set: what validation compares pairwise.
   */
  readonly repeatedFields: number;
  readonly operations: ReadonlyMap<OperationDefinitionNode, OperationMeasure>;
}

export interface OperationMeasure {
  /** Nesting of selection sets, fragments followed. */
  readonly depth: number;
  /** Function fields' `@expose cost=` plus the introspection points (see INTROSPECTION_FIELDS_PER_POINT). */
  readonly cost: number;
  /** `__schema` / `__type` fields and every field under them, fragments expanded. */
  readonly introspectionFields: number;
}

/** The field extension the schema builder sets on every function field: its `@expose cost=`. */
export const COST_EXTENSION = 'kqlgateCost';

/**
 * Introspection costs one point per started group of this many fields: the standard introspection query
 * (`getIntrospectionQuery()`, 220 fields; 230 with every option) costs 22, well inside the limit of 50, while a
 * document repeating it — under aliases or through fragments — is over it.
 */
export const INTROSPECTION_FIELDS_PER_POINT = 10;

const INTROSPECTION_FIELDS = new Set(['__schema', '__type']);

interface SubtreeMeasure {
  fields: number;
  aliases: number;
  depth: number;
}

interface RootMeasure {
  functionCost: number;
  introspectionFields: number;
}

const EMPTY_SUBTREE: SubtreeMeasure = { fields: 0, aliases: 0, depth: 0 };
const EMPTY_ROOT: RootMeasure = { functionCost: 0, introspectionFields: 0 };

export function measureDocument(schema: GraphQLSchema, document: DocumentNode): DocumentMeasure {
  return new DocumentMeasurer(schema, document).measure();
}

class DocumentMeasurer {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly subtrees = new Map<string, SubtreeMeasure>();
  private readonly roots = new Map<string, RootMeasure>();
  /** Fragments being walked: a spread of one of them is a cycle. */
  private readonly walking = new Set<string>();
  private readonly spread = new Set<string>();
  private readonly queryFields: Record<string, GraphQLField<unknown, unknown>>;

  constructor(
    schema: GraphQLSchema,
    private readonly document: DocumentNode,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        this.fragments.set(definition.name.value, definition);
      }
    }
    this.queryFields = schema.getQueryType()?.getFields() ?? {};
  }

  measure(): DocumentMeasure {
    let fields = 0;
    let aliases = 0;
    const operations = new Map<OperationDefinitionNode, OperationMeasure>();
    for (const definition of this.document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) {
        continue;
      }
      const subtree = this.subtree(definition.selectionSet);
      fields += subtree.fields;
      aliases += subtree.aliases;
      const root =
        definition.operation === OperationTypeNode.QUERY ? this.root(definition.selectionSet) : EMPTY_ROOT;
      operations.set(definition, {
        depth: subtree.depth,
        cost: root.functionCost + Math.ceil(root.introspectionFields / INTROSPECTION_FIELDS_PER_POINT),
        introspectionFields: root.introspectionFields,
      });
    }
    // Validation walks fragments that no operation spreads as well.
    for (const [name, fragment] of this.fragments) {
      if (!this.spread.has(name)) {
        const subtree = this.fragmentSubtree(name) ?? this.subtree(fragment.selectionSet);
        fields += subtree.fields;
        aliases += subtree.aliases;
      }
    }
    return { fields, aliases, repeatedFields: this.repeatedFields(), operations };
  }

  private subtree(set: SelectionSetNode): SubtreeMeasure {
    let fields = 0;
    let aliases = 0;
    let depth = 0;
    for (const selection of set.selections) {
      let inner: SubtreeMeasure;
      if (selection.kind === Kind.FIELD) {
        fields += 1;
        aliases += selection.alias ? 1 : 0;
        inner = selection.selectionSet ? this.subtree(selection.selectionSet) : EMPTY_SUBTREE;
        depth = Math.max(depth, 1 + inner.depth);
      } else {
        inner =
          selection.kind === Kind.INLINE_FRAGMENT
            ? this.subtree(selection.selectionSet)
            : (this.fragmentSubtree(selection.name.value) ?? EMPTY_SUBTREE);
        depth = Math.max(depth, inner.depth);
      }
      fields += inner.fields;
      aliases += inner.aliases;
    }
    return { fields, aliases, depth };
  }

  private fragmentSubtree(name: string): SubtreeMeasure | undefined {
    this.spread.add(name);
    return this.memoized(name, this.subtrees, (fragment) => this.subtree(fragment.selectionSet));
  }

  /** Function cost and introspection fields of a selection set in the `Query` position. */
  private root(set: SelectionSetNode): RootMeasure {
    let functionCost = 0;
    let introspectionFields = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (INTROSPECTION_FIELDS.has(name)) {
          introspectionFields +=
            1 + (selection.selectionSet ? this.subtree(selection.selectionSet).fields : 0);
        } else {
          const cost = this.queryFields[name]?.extensions[COST_EXTENSION];
          functionCost += typeof cost === 'number' ? cost : 0;
        }
        continue;
      }
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? this.root(selection.selectionSet)
          : (this.memoized(selection.name.value, this.roots, (fragment) =>
              this.root(fragment.selectionSet),
            ) ?? EMPTY_ROOT);
      functionCost += inner.functionCost;
      introspectionFields += inner.introspectionFields;
    }
    return { functionCost, introspectionFields };
  }

  private memoized<T>(
    name: string,
    cache: Map<string, T>,
    compute: (fragment: FragmentDefinitionNode) => T,
  ): T | undefined {
    const known = cache.get(name);
    if (known !== undefined) {
      return known;
    }
    const fragment = this.fragments.get(name);
    if (!fragment || this.walking.has(name)) {
      return undefined;
    }
    this.walking.add(name);
    const value = compute(fragment);
    this.walking.delete(name);
    cache.set(name, value);
    return value;
  }

  /**
   * Repeated response names over every selection set of the document (each fragment definition's once, as
   * validation visits it), with the fields of inline fragments and of every distinct fragment spread into the
   * set — directly or through other spreads — counted in the set, as validation merges them.
   */
  private repeatedFields(): number {
    let repeated = 0;
    const visitSet = (set: SelectionSetNode, fragmentName?: string): void => {
      const names = new Set<string>();
      let count = 0;
      // A fragment spreading itself (a cycle validation reports) does not merge into its own set again.
      const spreads = new Set<string>(fragmentName === undefined ? [] : [fragmentName]);
      const collect = (level: SelectionSetNode): void => {
        for (const selection of level.selections) {
          if (selection.kind === Kind.FIELD) {
            names.add(responseName(selection));
            count += 1;
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            collect(selection.selectionSet);
          } else if (!spreads.has(selection.name.value)) {
            spreads.add(selection.name.value);
            const fragment = this.fragments.get(selection.name.value);
            if (fragment) {
              collect(fragment.selectionSet);
            }
          }
        }
      };
      collect(set);
      repeated += count - names.size;
      visitFieldSets(set);
    };
    // The selection sets of fields, at any depth (inline fragments belong to the set they are in).
    const visitFieldSets = (set: SelectionSetNode): void => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD && selection.selectionSet) {
          visitSet(selection.selectionSet);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          visitFieldSets(selection.selectionSet);
        }
      }
    };
    for (const definition of this.document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) {
        visitSet(definition.selectionSet);
      } else if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        visitSet(definition.selectionSet, definition.name.value);
      }
    }
    return repeated;
  }
}

function responseName(field: FieldNode): string {
  return (field.alias ?? field.name).value;
}
