import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLObjectType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { graphqlJs } from './graphql-runtime.js';

const { GraphQLError, Kind, OperationTypeNode } = graphqlJs;

/**
 * Limits that refuse an expensive operation before anything runs:
 * - depth: nesting of selection sets (fragments followed), so a hostile document cannot explode the response;
 * - cost: the sum of the `@expose cost=` of every function field the operation selects (aliases count separately,
 *   a fragment counts each time it is spread) — the points the rate limiter charges, so one document cannot do
 *   more work than the limit allows per call.
 *
 * They are checked once the document is valid and the operation is chosen (Apollo's `didResolveOperation`), not
 * as validation rules: Apollo reports every validation-rule error as `GRAPHQL_VALIDATION_FAILED`, and a caller
 * needs to tell "your query is malformed" from "your query is too big" (`QUERY_COST_LIMIT_EXCEEDED` /
 * `QUERY_DEPTH_LIMIT_EXCEEDED`, with the measured value and the limit in `extensions`).
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

export enum QueryLimitErrorCode {
  CostLimitExceeded = 'QUERY_COST_LIMIT_EXCEEDED',
  DepthLimitExceeded = 'QUERY_DEPTH_LIMIT_EXCEEDED',
}

export interface OperationMeasure {
  depth: number;
  cost: number;
}

/** The field extension the schema builder sets on every function field: its `@expose cost=`. */
export const COST_EXTENSION = 'kqlgateCost';

export function queryLimitsPlugin<TContext extends BaseContext>(
  limits: QueryLimits,
): ApolloServerPlugin<TContext> {
  // Apollo hands out the same DocumentNode for a repeated query text (its document store), so each distinct
  // operation is measured once per server (the server is per schema, hence so is the cache).
  const measured = new WeakMap<OperationDefinitionNode, OperationMeasure>();
  return {
    requestDidStart() {
      return Promise.resolve({
        didResolveOperation({ document, operation, schema }) {
          if (!operation) {
            return Promise.resolve();
          }
          let measure = measured.get(operation);
          if (!measure) {
            measure = measureOperation(schema, document, operation);
            measured.set(operation, measure);
          }
          checkLimits(measure, limits, operation);
          return Promise.resolve();
        },
      });
    },
  };
}

/** Throws the error a caller sees when the operation is over a limit (depth first: it bounds the walk). */
export function checkLimits(
  measure: OperationMeasure,
  limits: QueryLimits,
  operation?: OperationDefinitionNode,
): void {
  if (measure.depth > limits.maxDepth) {
    throw new GraphQLError(`query depth ${measure.depth} exceeds the limit of ${limits.maxDepth}`, {
      nodes: operation ? [operation] : undefined,
      extensions: {
        code: QueryLimitErrorCode.DepthLimitExceeded,
        depth: measure.depth,
        maxDepth: limits.maxDepth,
        http: { status: 400 },
      },
    });
  }
  if (measure.cost > limits.maxCost) {
    throw new GraphQLError(
      `query cost ${measure.cost} exceeds the limit of ${limits.maxCost} (the sum of the cost of every function field selected; split the query or select fewer fields)`,
      {
        nodes: operation ? [operation] : undefined,
        extensions: {
          code: QueryLimitErrorCode.CostLimitExceeded,
          cost: measure.cost,
          maxCost: limits.maxCost,
          http: { status: 400 },
        },
      },
    );
  }
}

export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.set(definition.name.value, definition);
    }
  }
  const root = operation.operation === OperationTypeNode.QUERY ? schema.getQueryType() : undefined;
  return {
    depth: selectionDepth(operation.selectionSet, fragments, new Set()),
    cost: root ? rootCost(operation.selectionSet, root, fragments, new Set()) : 0,
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

/** Function fields only exist on `Query`, so only the root selection set (through fragments) costs anything. */
function rootCost(
  set: SelectionSetNode,
  root: GraphQLObjectType,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  const fields = root.getFields();
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const fieldCost = fields[selection.name.value]?.extensions?.[COST_EXTENSION];
      cost += typeof fieldCost === 'number' ? fieldCost : 0;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      cost += rootCost(selection.selectionSet, root, fragments, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (fragment && !visiting.has(name)) {
        visiting.add(name);
        cost += rootCost(fragment.selectionSet, root, fragments, visiting);
        visiting.delete(name);
      }
    }
  }
  return cost;
}
