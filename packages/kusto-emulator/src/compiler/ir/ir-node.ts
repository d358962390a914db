/**
 * The typed relational IR between the Kusto syntax tree and SQL text. Relations carry their output
 * columns (names and Kusto types exactly as Kusto.Language computed them); scalars carry their Kusto type.
 * Every node is frozen and lives in its own `*-node.ts`; passes dispatch on `kind` through tables typed
 * over these unions, so a new kind does not compile until every pass handles it.
 */
import type { KustoScalarType } from '../compiler-types.js';
import type { ColumnNode } from './column-node.js';
import type { LiteralNode } from './literal-node.js';
import type { OrdinalNode } from './ordinal-node.js';
import type { CallNode } from './call-node.js';
import type { CaseNode } from './case-node.js';
import type { CastNode } from './cast-node.js';
import type { WindowNode } from './window-node.js';
import type { ScalarSubqueryNode } from './scalar-subquery-node.js';
import type { InSubqueryNode } from './in-subquery-node.js';
import type { ScanNode } from './scan-node.js';
import type { ValuesNode } from './values-node.js';
import type { RangeNode } from './range-node.js';
import type { FilterNode } from './filter-node.js';
import type { ProjectNode } from './project-node.js';
import type { AggregateNode } from './aggregate-node.js';
import type { SortNode } from './sort-node.js';
import type { LimitNode } from './limit-node.js';
import type { DistinctNode } from './distinct-node.js';
import type { JoinNode } from './join-node.js';
import type { UnionNode } from './union-node.js';
import type { MvExpandNode } from './mv-expand-node.js';
import type { MakeSeriesNode } from './make-series-node.js';
import type { SampleNode } from './sample-node.js';

export type { ColumnSchema } from '../compiler-types.js';

/** Kusto scalar types, plus `struct` for the internal tuple `arg_max(…, *)` carries between two SQL levels. */
export type IrType = KustoScalarType | 'struct';

/**
 * A value known only when the query runs, not when it compiles: `now()` and declared query parameters.
 * Compiled queries are cached with these slots and filled per call (see `kql-compiler.ts`).
 */
export type ParameterSlot =
  | { readonly slot: 'now' }
  | {
      readonly slot: 'query';
      readonly name: string;
      readonly type: KustoScalarType;
      readonly line: number;
      readonly column: number;
    };

/** JS values bound as prepared-statement parameters; `bigint` keeps `long` exact. */
export type LiteralValue = string | number | bigint | boolean | null | ParameterSlot;

export type ScalarNode =
  | ColumnNode
  | LiteralNode
  | OrdinalNode
  | CallNode
  | CaseNode
  | CastNode
  | WindowNode
  | ScalarSubqueryNode
  | InSubqueryNode;
export type RelationNode =
  | ScanNode
  | ValuesNode
  | RangeNode
  | FilterNode
  | ProjectNode
  | AggregateNode
  | SortNode
  | LimitNode
  | DistinctNode
  | JoinNode
  | UnionNode
  | MvExpandNode
  | MakeSeriesNode
  | SampleNode;
export type ScalarKind = ScalarNode['kind'];
export type RelationKind = RelationNode['kind'];

export interface NamedScalar {
  readonly name: string;
  readonly expr: ScalarNode;
}

export interface SortKey {
  readonly expr: ScalarNode;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export type JoinKind =
  | 'inner'
  | 'innerunique'
  | 'leftouter'
  | 'rightouter'
  | 'fullouter'
  | 'leftsemi'
  | 'rightsemi'
  | 'leftanti'
  | 'rightanti';

/** Equality of a left column and a right column. */
export interface JoinCondition {
  readonly left: string;
  readonly right: string;
}

/** An output column of a join and which side/column it comes from. */
export interface JoinOutput {
  readonly name: string;
  readonly side: 'left' | 'right';
  readonly source: string;
}

export interface UnionSource {
  readonly column: string;
  readonly names: readonly string[];
}

export interface MvExpansion {
  readonly name: string;
  readonly expr: ScalarNode;
  /** `typeof(T)` target, or `dynamic`. */
  readonly type: KustoScalarType;
}

export interface SeriesAggregate {
  readonly name: string;
  readonly aggregate: ScalarNode;
  readonly defaultValue: ScalarNode;
}
