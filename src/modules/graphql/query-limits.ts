import type { ASTNode, GraphQLError as GraphQLErrorType, GraphQLFormattedError } from 'graphql';
import type { DocumentMeasure, OperationMeasure } from './document-measure.js';
import { graphqlJs } from './graphql-runtime.js';

const { GraphQLError } = graphqlJs;

/**
 * Limits that refuse an expensive GraphQL request before the work is done, each checked as early as it can be:
 * - tokens: graphql-js `parse` stops lexing past `maxTokens`, so a megabyte document costs a few kilobytes of work;
 * - fields, aliases, repeated fields: measured in one pass before validation (query-limits.rule.ts), because
 *   validation's OverlappingFieldsCanBeMerged compares same-named fields pairwise and execution repeats work per
 *   alias;
 * - depth and cost: per operation once it is chosen (query-limits.plugin.ts) — cost is the sum of the
 *   `@expose cost=` of every function field selected plus introspection points (see document-measure.ts);
 * - response size: the `data` of an answer, before it is serialized.
 *
 * Each refusal is a 400 with its own code and the measured value and the limit in `extensions`, so a caller can
 * tell "your query is malformed" (`GRAPHQL_VALIDATION_FAILED`) from "your query is too big".
 */
export interface QueryLimits {
  maxTokens: number;
  maxFields: number;
  maxAliases: number;
  maxRepeatedFields: number;
  maxDepth: number;
  maxCost: number;
  maxResponseBytes: number;
}

/**
 * Function fields are only 2 deep (field → row columns); the depth limit exists for introspection, whose standard
 * query (`getIntrospectionQuery()`, what GraphiQL and codegen send) is 15 deep, ~200 tokens and ~220 fields.
 * The environment (env.dto.ts) overrides tokens, fields, aliases and response bytes.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = {
  maxTokens: 5_000,
  maxFields: 1_000,
  maxAliases: 50,
  maxRepeatedFields: 50,
  maxDepth: 15,
  maxCost: 50,
  maxResponseBytes: 8 * 1024 * 1024,
};

export enum QueryLimitErrorCode {
  TokenLimitExceeded = 'QUERY_TOKEN_LIMIT_EXCEEDED',
  FieldLimitExceeded = 'QUERY_FIELD_LIMIT_EXCEEDED',
  AliasLimitExceeded = 'QUERY_ALIAS_LIMIT_EXCEEDED',
  RepeatedFieldLimitExceeded = 'QUERY_REPEATED_FIELD_LIMIT_EXCEEDED',
  DepthLimitExceeded = 'QUERY_DEPTH_LIMIT_EXCEEDED',
  CostLimitExceeded = 'QUERY_COST_LIMIT_EXCEEDED',
  ResponseTooLarge = 'RESPONSE_TOO_LARGE',
}

const QUERY_LIMIT_CODES: ReadonlySet<string> = new Set(Object.values(QueryLimitErrorCode));

export function isQueryLimitCode(code: unknown): code is QueryLimitErrorCode {
  return typeof code === 'string' && QUERY_LIMIT_CODES.has(code);
}

/** The errors of a document over its document-wide limits (empty when within them), in a fixed order. */
export function documentLimitErrors(
  measure: DocumentMeasure,
  limits: QueryLimits,
  node?: ASTNode,
): GraphQLErrorType[] {
  const errors: GraphQLErrorType[] = [];
  if (measure.aliases > limits.maxAliases) {
    errors.push(
      limitError(
        `query has ${measure.aliases} aliases, more than the limit of ${limits.maxAliases} (a fragment counts each time it is spread)`,
        node,
        {
          code: QueryLimitErrorCode.AliasLimitExceeded,
          aliases: measure.aliases,
          maxAliases: limits.maxAliases,
        },
      ),
    );
  }
  if (measure.fields > limits.maxFields) {
    errors.push(
      limitError(
        `query selects ${measure.fields} fields, more than the limit of ${limits.maxFields} (a fragment counts each time it is spread; split the query or select fewer fields)`,
        node,
        { code: QueryLimitErrorCode.FieldLimitExceeded, fields: measure.fields, maxFields: limits.maxFields },
      ),
    );
  }
  if (measure.repeatedFields > limits.maxRepeatedFields) {
    errors.push(
      limitError(
        `query selects ${measure.repeatedFields} fields under a response name already selected in the same selection set, more than the limit of ${limits.maxRepeatedFields} (select each field once)`,
        node,
        {
          code: QueryLimitErrorCode.RepeatedFieldLimitExceeded,
          repeatedFields: measure.repeatedFields,
          maxRepeatedFields: limits.maxRepeatedFields,
        },
      ),
    );
  }
  return errors;
}

/** Throws the error a caller sees when the operation is over a limit (depth first: it bounds the walk). */
export function checkOperationLimits(measure: OperationMeasure, limits: QueryLimits, node?: ASTNode): void {
  if (measure.depth > limits.maxDepth) {
    throw limitError(`query depth ${measure.depth} exceeds the limit of ${limits.maxDepth}`, node, {
      code: QueryLimitErrorCode.DepthLimitExceeded,
      depth: measure.depth,
      maxDepth: limits.maxDepth,
    });
  }
  if (measure.cost > limits.maxCost) {
    throw limitError(
      `query cost ${measure.cost} exceeds the limit of ${limits.maxCost} (the sum of the cost of every function field selected, plus 1 per 10 introspection fields; split the query or select fewer fields)`,
      node,
      { code: QueryLimitErrorCode.CostLimitExceeded, cost: measure.cost, maxCost: limits.maxCost },
    );
  }
}

/** Already in the shape of a formatted error: it replaces an answer after execution, past Apollo's formatting. */
export function responseTooLargeError(limits: QueryLimits): GraphQLFormattedError {
  return {
    message: `the response data would be larger than the limit of ${limits.maxResponseBytes} bytes (select fewer fields, ask for fewer rows or split the query)`,
    extensions: { code: QueryLimitErrorCode.ResponseTooLarge, maxResponseBytes: limits.maxResponseBytes },
  };
}

/**
 * The `formatError` of a server applying these limits. Two refusals arrive wrapped in Apollo's generic classes:
 * - the document-limit errors of query-limits.rule.ts, reported as `GRAPHQL_VALIDATION_FAILED` (Apollo gives every
 *   validation-rule error that code; ours is kept as the `originalError`) get their own code back;
 * - graphql-js's token-limit syntax error (`GRAPHQL_PARSE_FAILED`, "Document contains more that N tokens" — sic)
 *   becomes `QUERY_TOKEN_LIMIT_EXCEEDED` with a message of ours, since the document is not malformed, only too big.
 * Other errors pass unchanged.
 */
export function queryLimitsFormatError(
  limits: QueryLimits,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const original = error instanceof GraphQLError ? error.originalError : undefined;
    if (!(original instanceof GraphQLError)) {
      return formatted;
    }
    const code = original.extensions.code;
    if (isQueryLimitCode(code)) {
      return formatted.extensions?.code === code
        ? formatted
        : { ...formatted, extensions: { ...formatted.extensions, code } };
    }
    if (TOKEN_LIMIT_MESSAGE.test(original.message)) {
      return {
        ...formatted,
        message: `query is longer than the limit of ${limits.maxTokens} tokens (names, punctuation and values); parsing stopped at the first token over it`,
        extensions: { code: QueryLimitErrorCode.TokenLimitExceeded, maxTokens: limits.maxTokens },
      };
    }
    return formatted;
  };
}

/** graphql-js's message (16.x spells it "more that"; a fixed spelling must match too). */
const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more tha[nt] \d+ tokens\./;

function limitError(
  message: string,
  node: ASTNode | undefined,
  extensions: { code: QueryLimitErrorCode } & Record<string, unknown>,
): GraphQLErrorType {
  return new GraphQLError(message, {
    nodes: node ? [node] : undefined,
    extensions: { ...extensions, http: { status: 400 } },
  });
}
