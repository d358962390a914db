import type {
  ASTVisitor,
  FragmentDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { graphqlJs } from './graphql-runtime.js';

const { GraphQLError, Kind } = graphqlJs;

/**
 * Validation rules that refuse expensive documents before anything runs:
 * - depth: nesting of selection sets (fragments followed), so a hostile document cannot explode the response;
 * - cost: the sum of the `@expose cost=` of every function field selected (aliases count separately), the same
 *   points the rate limiter charges — one document cannot do more work than the limit allows per call.
 */
export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
}

/**
 * Function fields are only 2 deep (field → row columns); the depth limit exists for introspection, whose standard
 * query (`getIntrospectionQuery()`, what GraphiQL and codegen send) is 13 deep.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 15, maxCost: 50 };

export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        fragments.set(definition.name.value, definition);
      }
    }
    return {
      OperationDefinition(node) {
        const depth = selectionDepth(node.selectionSet, fragments, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`query depth ${depth} exceeds the limit of ${maxDepth}`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_DEPTH_LIMIT', depth, maxDepth },
            }),
          );
        }
      },
    };
  };
}

function selectionDepth(
  set: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  if (!set) {
    return 0;
  }
  let max = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      max = Math.max(
        max,
        selection.selectionSet ? 1 + selectionDepth(selection.selectionSet, fragments, visiting) : 1,
      );
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (fragment && !visiting.has(name)) {
        visiting.add(name);
        max = Math.max(max, selectionDepth(fragment.selectionSet, fragments, visiting));
        visiting.delete(name);
      }
    }
  }
  return max;
}

export function costLimitRule(maxCost: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let cost = 0;
    return {
      Field(node) {
        const parent = context.getParentType();
        if (parent?.name !== context.getSchema().getQueryType()?.name) {
          return;
        }
        const field = context.getFieldDef();
        const fieldCost = field?.extensions?.kqlgateCost;
        cost += typeof fieldCost === 'number' ? fieldCost : 0;
        if (cost > maxCost) {
          context.reportError(
            new GraphQLError(
              `query cost ${cost} exceeds the limit of ${maxCost} (sum of the functions' costs)`,
              {
                nodes: [node],
                extensions: { code: 'GRAPHQL_COST_LIMIT', cost, maxCost },
              },
            ),
          );
          cost = Number.NEGATIVE_INFINITY;
        }
      },
    };
  };
}
