import DataLoader from 'dataloader';
import type {
  GraphQLFieldConfig,
  GraphQLFieldConfigArgumentMap,
  GraphQLOutputType,
  GraphQLScalarType,
  GraphQLSchema as GraphQLSchemaType,
  GraphQLError as GraphQLErrorType,
} from 'graphql';
import { graphqlJs } from './graphql-runtime.js';
import type { KustoScalarType } from '@kqlgate/kql-language';
import type { Catalog, CatalogFunction } from '../catalog/catalog.types.js';
import { describeRange } from '../catalog/parameter-range.js';
import { describeError } from '../query/error-status.js';
import type { QueryResult, QueryResultMeta } from '../query/function-query.service.js';
import type { Principal } from '../auth/principal.js';
import { COST_EXTENSION } from './document-measure.js';
import { DateTimeScalar, DynamicScalar, LongScalar, TimeSpanScalar } from './scalars.js';

const {
  GraphQLBoolean,
  GraphQLError,
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} = graphqlJs;

/**
 * The GraphQL schema of a catalog, built at run time with graphql-js: one `Query` field per exposed function,
 * arguments typed from its KQL parameters (non-null iff the parameter has no default; claim-bound parameters are
 * not arguments), an object type per output schema, descriptions from docstrings. A new catalog gives a new
 * schema; nothing here is generated code.
 *
 * Every exposed function is also a `Subscription` field with the same arguments and type (live results: the
 * result now, then again whenever ingestion changes it), as every exposed function has its SSE stream. Those
 * fields are served over WebSocket only (graphql-subscriptions.server.ts), which puts a LiveSubscriptionContext
 * in their context.
 */

/** Executes one function call; the resolver context provides it (per request, with the caller's principal). */
export type FunctionCaller = (fn: string, args: Record<string, unknown>) => Promise<QueryResult>;

export interface GraphqlContext {
  principal: Principal;
  loader: DataLoader<CallKey, QueryResult, string>;
  /** meta of every call, reported in the response's `extensions.kqlgate`. */
  calls: QueryResultMeta[];
}

/** The context of a subscription operation (graphql-subscriptions.server.ts). */
export interface LiveSubscriptionContext {
  principal: Principal;
  /** Opens a live subscription of `fn`: its current result first, then one result per change. */
  follow(fn: string, params: Record<string, unknown>): Promise<AsyncIterable<QueryResult>>;
}

export interface CallKey {
  fn: string;
  args: Record<string, unknown>;
}

export const SCALARS: Record<KustoScalarType, GraphQLScalarType> = {
  string: GraphQLString,
  bool: GraphQLBoolean,
  int: GraphQLInt,
  long: LongScalar,
  real: GraphQLFloat,
  decimal: GraphQLString,
  datetime: DateTimeScalar,
  timespan: TimeSpanScalar,
  guid: GraphQLString,
  dynamic: DynamicScalar,
};

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A GraphQL-legal name for a Kusto column (`Order Id` → `Order_Id`). */
export function graphqlName(name: string): string {
  const cleaned = name.replace(/[^_0-9A-Za-z]/g, '_');
  return NAME.test(cleaned) ? cleaned : `_${cleaned}`;
}

/**
 * `only` narrows the schema to some of the exposed functions (a caller's view with FUNCTION_VISIBILITY=callable,
 * see query/function-visibility.ts); by default every exposed function is a field.
 */
export function buildGraphqlSchema(catalog: Catalog, only?: readonly CatalogFunction[]): GraphQLSchemaType {
  const exposed = (only ?? catalog.functions)
    .filter((f) => f.exposure)
    .sort((a, b) => a.name.localeCompare(b.name));
  const fields: Record<string, GraphQLFieldConfig<unknown, GraphqlContext>> = {};
  const live: Record<string, GraphQLFieldConfig<unknown, LiveSubscriptionContext>> = {};
  for (const fn of exposed) {
    const field = functionField(fn);
    fields[graphqlName(fn.name)] = field;
    live[graphqlName(fn.name)] = subscriptionField(fn, field);
  }
  if (exposed.length === 0) {
    fields._empty = {
      type: GraphQLString,
      description: only
        ? 'No function is available to this caller'
        : 'No function is exposed (kql/functions has no @expose)',
    };
  }
  return new GraphQLSchema({
    query: new GraphQLObjectType<unknown, GraphqlContext>({
      name: 'Query',
      description: 'One field per exposed KQL function of kql/functions',
      fields,
    }),
    ...(exposed.length > 0 && {
      subscription: new GraphQLObjectType<unknown, LiveSubscriptionContext>({
        name: 'Subscription',
        description:
          'One field per exposed KQL function: its result now, then again whenever ingestion changes it (graphql-ws over WebSocket at /graphql)',
        fields: live,
      }),
    }),
  });
}

/**
 * The schema Apollo starts with when GraphQLModule starts before the catalog's first load (the catalog loads once
 * every module has registered its swap hooks, see FunctionCatalogService.onApplicationBootstrap). The first
 * catalog replaces it before the server listens, so no caller is served by it.
 */
export function catalogPendingSchema(): GraphQLSchemaType {
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        _empty: { type: GraphQLString, description: 'The function catalog of kql/ is not loaded yet' },
      },
    }),
  });
}

function functionField(fn: CatalogFunction): GraphQLFieldConfig<unknown, GraphqlContext> {
  const rowType = new GraphQLObjectType({
    name: `${graphqlName(fn.name)}Row`,
    description: `One row of ${fn.name}`,
    fields: Object.fromEntries(
      fn.outputColumns.map((column) => {
        const name = graphqlName(column.name);
        return [
          name,
          {
            type: SCALARS[column.type] as GraphQLOutputType,
            description: `KQL ${column.type}`,
            // graphql-js's default resolver reads row[name] as well; a resolver of our own is only needed when
            // the column had to be renamed (`Order Id` → `Order_Id`).
            ...(name === column.name ? {} : { resolve: (row: Record<string, unknown>) => row[column.name] }),
          },
        ];
      }),
    ),
  });
  const args: GraphQLFieldConfigArgumentMap = {};
  for (const parameter of fn.parameters) {
    if (parameter.binding) {
      continue;
    }
    const scalar = SCALARS[parameter.type];
    args[graphqlName(parameter.name)] = {
      type: parameter.required ? new GraphQLNonNull(scalar) : scalar,
      description: `KQL ${parameter.type}${parameter.defaultText === undefined ? '' : `, default ${parameter.defaultText}`}${parameter.range ? `, ${describeRange(parameter.range)}` : ''}`,
    };
  }
  const exposure = fn.exposure!;
  return {
    type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(rowType))),
    description: [
      sentence(fn.docString ?? fn.name),
      exposure.roles.length > 0 ? `Roles: ${exposure.roles.join(', ')}.` : '',
      `Cost ${exposure.cost}; at most ${exposure.maxRows} rows.`,
    ]
      .filter((s) => s !== '')
      .join(' '),
    args,
    extensions: { [COST_EXTENSION]: exposure.cost },
    resolve: async (_source, rawArgs: Record<string, unknown>, context) => {
      const params = kqlParameters(fn, rawArgs);
      try {
        const result = await context.loader.load({ fn: fn.name, args: params });
        context.calls.push(result.meta);
        return result.rows;
      } catch (error) {
        throw toGraphqlError(error);
      }
    },
  };
}

/**
 * The live twin of a function's query field: `subscribe` opens the live subscription (refusals — auth, claims,
 * limits — are thrown before anything is sent, with the query path's codes), each event is a QueryResult.
 */
function subscriptionField(
  fn: CatalogFunction,
  query: GraphQLFieldConfig<unknown, GraphqlContext>,
): GraphQLFieldConfig<unknown, LiveSubscriptionContext> {
  return {
    type: query.type,
    description: `${query.description ?? ''} Pushed again whenever ingestion changes the result.`,
    args: query.args,
    extensions: query.extensions,
    subscribe: async (_source, rawArgs: Record<string, unknown>, context) => {
      try {
        return await context.follow(fn.name, kqlParameters(fn, rawArgs));
      } catch (error) {
        throw toGraphqlError(error);
      }
    },
    // Each event of the stream `subscribe` returned is a QueryResult.
    resolve: (result) => (result as QueryResult).rows,
  };
}

/** GraphQL names may differ from KQL names (`Order Id` → `Order_Id`): the call's parameters by their KQL names. */
function kqlParameters(fn: CatalogFunction, rawArgs: Record<string, unknown>): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const parameter of fn.parameters) {
    const value = rawArgs[graphqlName(parameter.name)];
    if (value !== undefined && value !== null) {
      params[parameter.name] = value;
    }
  }
  return params;
}

function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

export function toGraphqlError(error: unknown): GraphQLErrorType {
  if (error instanceof GraphQLError) {
    return error;
  }
  const body = describeError(error);
  return new GraphQLError(body.message, {
    extensions: { ...body.details, code: body.code, status: body.status },
    ...(error instanceof Error ? { originalError: error } : {}),
  });
}

/** Key of a call for DataLoader: same function + same arguments (any key order) → one engine query per request. */
export function callKey(key: CallKey): string {
  return `${key.fn}:${JSON.stringify(
    Object.keys(key.args)
      .sort()
      .map((k) => [k, key.args[k]]),
  )}`;
}

export function createCallLoader(call: FunctionCaller): DataLoader<CallKey, QueryResult, string> {
  return new DataLoader<CallKey, QueryResult, string>(
    (keys) =>
      Promise.all(keys.map((key) => call(key.fn, key.args).catch((error: unknown) => error as Error))),
    { cacheKeyFn: callKey },
  );
}
