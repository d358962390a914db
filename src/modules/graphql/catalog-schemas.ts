import type { DocumentNode, GraphQLError as GraphQLErrorType, GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.js';
import type { Catalog, CatalogFunction } from '../catalog/catalog.types.js';
import { accessProfileKey, callableFunctions } from '../query/function-visibility.js';
import { graphqlJs } from './graphql-runtime.js';
import { KnownOperationTypesRule } from './known-operation-types.rule.js';
import { buildGraphqlSchema } from './schema-builder.js';

const { GraphQLError, specifiedRules, validate } = graphqlJs;

/** Bounds of the per-caller schemas (FUNCTION_VISIBILITY=callable), per catalog version. */
const MAX_NARROWED_SCHEMAS = 16;
const MAX_ACCESS_PROFILES = 512;

/** Apollo's code for a document that fails validation (its ValidationError class is not exported). */
const VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED';

interface CallerView {
  readonly key: string;
  readonly functions: CatalogFunction[];
}

/**
 * The GraphQL schemas of one catalog version: the full schema Apollo serves, and with
 * `FUNCTION_VISIBILITY=callable` one schema per caller view, holding only the functions that caller may call.
 *
 * Callers with the same roles/scopes share one view, and views with the same functions share one schema; both
 * maps are LRU-bounded, so distinct role sets cannot grow memory without bound. A request keeps the schema it
 * was given even if it is evicted meanwhile.
 */
export class CatalogSchemas {
  readonly full: GraphQLSchema;
  private readonly exposedCount: number;
  private readonly views = new LRUCache<string, CallerView>({ max: MAX_ACCESS_PROFILES });
  private readonly narrowed = new LRUCache<string, GraphQLSchema>({ max: MAX_NARROWED_SCHEMAS });
  /** Errors of each document against each narrowed schema: Apollo hands out one DocumentNode per query text. */
  private readonly validations = new WeakMap<
    GraphQLSchema,
    WeakMap<DocumentNode, readonly GraphQLErrorType[]>
  >();

  constructor(readonly catalog: Catalog) {
    this.full = buildGraphqlSchema(catalog);
    this.exposedCount = catalog.functions.filter((fn) => fn.exposure).length;
  }

  /** The schema whose `Query` holds exactly the functions `principal` may call. */
  schemaOf(principal: Principal): GraphQLSchema {
    const profile = accessProfileKey(principal);
    let view = this.views.get(profile);
    if (!view) {
      const functions = callableFunctions(this.catalog.functions, principal);
      view = { key: functions.map((fn) => fn.name).join(','), functions };
      this.views.set(profile, view);
    }
    if (view.functions.length === this.exposedCount) {
      return this.full;
    }
    let schema = this.narrowed.get(view.key);
    if (!schema) {
      schema = buildGraphqlSchema(this.catalog, view.functions);
      this.narrowed.set(view.key, schema);
    }
    return schema;
  }

  /**
   * Validation of a document against a narrowed schema. Apollo has validated it against the full schema (where
   * the depth, cost and size limits were checked); this adds what the caller's own schema refuses — a field it
   * may not see is unknown to it, with graphql-js's message and no suggestion naming a hidden field. The errors
   * carry Apollo's validation code and status, as its own validation failures do.
   */
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLErrorType[] {
    let bySchema = this.validations.get(schema);
    if (!bySchema) {
      bySchema = new WeakMap();
      this.validations.set(schema, bySchema);
    }
    let errors = bySchema.get(document);
    if (!errors) {
      errors = validate(schema, document, [...specifiedRules, KnownOperationTypesRule]).map(
        (error) =>
          new GraphQLError(error.message, {
            nodes: error.nodes,
            originalError: error.originalError ?? error,
            extensions: { http: { status: 400 }, ...error.extensions, code: VALIDATION_FAILED },
          }),
      );
      bySchema.set(document, errors);
    }
    return errors;
  }
}
