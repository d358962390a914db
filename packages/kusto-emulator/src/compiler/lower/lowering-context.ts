/**
 * The state one lowering shares across its parts: the query text (for positions), the database, the query
 * parameters, the scopes of `let` names and function arguments, and the sort order each relation carries.
 * Statements, tabular sources, operators, scalars and function calls are separate modules that recurse into
 * each other; they reach each other's entry points through `passes`, so no module imports one that imports
 * it back.
 */
import type { DatabaseSchema, QueryParameterValues } from '../compiler-types.js';
import { KqlCompileError, type SourcePosition } from '../kql-compile-error.js';
import type { RelationNode, ScalarNode, SortKey } from '../ir/ir-node.js';
import type { KNode } from '../parse/kusto-syntax.js';
import { ExternalSourceLowerer } from './external-source-lowerer.js';
import { positionAt } from './source-position.js';

export interface LoweringInput {
  readonly text: string;
  readonly root: KNode;
  /** For the DuckDB columns of stored tables (`storageName`). */
  readonly database: DatabaseSchema;
  readonly params: QueryParameterValues;
  readonly now: Date;
}

export type Binding =
  | { readonly kind: 'scalar'; readonly node: ScalarNode }
  | { readonly kind: 'relation'; readonly node: RelationNode }
  | { readonly kind: 'lambda'; readonly declaration: KNode };

/** What a scalar expression can see besides columns and names: where it sits in its operator. */
export interface ScalarScope {
  /** Columns defined earlier in the same extend/project, visible to later expressions. */
  readonly overrides?: ReadonlyMap<string, ScalarNode>;
  /** Sort keys of the serialized input, for row_number/prev/next. */
  readonly order?: readonly SortKey[];
  /**
   * Inside `extend`: a window over a window (row_number's restart condition uses prev()) cannot be one SQL
   * expression, so the inner value is computed into a helper column one level below.
   */
  readonly prepare?: (value: ScalarNode) => ScalarNode;
  /** Inside `summarize`: aggregates met in an expression are collected here and read back as columns. */
  readonly collect?: (aggregate: ScalarNode) => ScalarNode;
}

/** The mutually recursive entry points, wired once by `KqlLowerer`. */
export interface LoweringPasses {
  /** A result-producing statement's relation; `let` and parameter declarations bind and return undefined. */
  statement(lc: LoweringContext, node: KNode): RelationNode | undefined;
  tabular(lc: LoweringContext, node: KNode): RelationNode;
  scalar(lc: LoweringContext, node: KNode, scope: ScalarScope): ScalarNode;
}

export class LoweringContext {
  private readonly scopes: Map<string, Binding>[] = [new Map<string, Binding>()];
  /** While lowering a toscalar(): the number of scopes outside it (see isOutsideToscalar). */
  private toscalarScopeFloor: number | undefined;
  private readonly orders = new WeakMap<RelationNode, readonly SortKey[]>();
  /** `external_table()` and `externaldata` sources, for the engine to prepare before it runs the SQL. */
  readonly external = new ExternalSourceLowerer((node) => this.position(node));

  constructor(
    readonly input: LoweringInput,
    private readonly passes: LoweringPasses,
  ) {}

  statement(node: KNode): RelationNode | undefined {
    return this.passes.statement(this, node);
  }

  tabular(node: KNode): RelationNode {
    return this.passes.tabular(this, node);
  }

  scalar(node: KNode, scope: ScalarScope): ScalarNode {
    return this.passes.scalar(this, node, scope);
  }

  // ── names ─────────────────────────────────────────────────────────────────────────────────────

  bind(name: string, binding: Binding): void {
    this.scopes[this.scopes.length - 1].set(name, binding);
  }

  lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) {
        return b;
      }
    }
    return undefined;
  }

  /** Runs `body` with `frame` (a called function's arguments) as the innermost scope. */
  withScope<T>(frame: Map<string, Binding>, body: () => T): T {
    this.scopes.push(frame);
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  /** Runs `body` as the inside of a toscalar(): names bound so far are outside its row context. */
  insideToscalar<T>(body: () => T): T {
    const outerFloor = this.toscalarScopeFloor;
    this.toscalarScopeFloor = this.scopes.length;
    try {
      return body();
    } finally {
      this.toscalarScopeFloor = outerFloor;
    }
  }

  /** Whether `name` resolves to a binding made outside the toscalar() being lowered. */
  isOutsideToscalar(name: string): boolean {
    if (this.toscalarScopeFloor === undefined) {
      return false;
    }
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      if (this.scopes[i].has(name)) {
        return i < this.toscalarScopeFloor;
      }
    }
    return false;
  }

  // ── row order ─────────────────────────────────────────────────────────────────────────────────

  /** The sort keys `relation`'s rows are known to be in (after `sort`, `top`, `serialize`…). */
  orderOf(relation: RelationNode): readonly SortKey[] | undefined {
    return this.orders.get(relation);
  }

  setOrder(relation: RelationNode, order: readonly SortKey[]): void {
    this.orders.set(relation, order);
  }

  /** `output` keeps `input`'s row order (filters, projections). */
  keepOrder(input: RelationNode, output: RelationNode): RelationNode {
    const order = this.orders.get(input);
    if (order) {
      this.orders.set(output, order);
    }
    return output;
  }

  // ── errors ────────────────────────────────────────────────────────────────────────────────────

  position(node: KNode): SourcePosition {
    return positionAt(this.input.text, node.TextStart);
  }

  unsupported(what: string, node: KNode): KqlCompileError {
    return KqlCompileError.unsupported(what, this.position(node));
  }
}
