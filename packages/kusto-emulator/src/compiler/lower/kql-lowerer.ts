/**
 * Lower stage: the analyzed Kusto syntax tree → relational IR. Kusto.Language has already resolved every
 * name and computed every type and result schema (including `summarize` column names such as `count_` and
 * `avg_x`), so this stage reads those facts instead of re-deriving them; it only decides how each operator
 * and function is expressed relationally. Anything it does not know raises UNSUPPORTED with the operator or
 * function name and position — never a guess.
 */
import { clrTypeName, KUSTO_SCALAR_TYPES } from '@kqlgate/kql-language';
import type { DatabaseSchema, KustoScalarType, QueryParameterValues } from '../compiler-types.js';
import { KqlCompileError, type SourcePosition } from '../kql-compile-error.js';
import { AggregateNode } from '../ir/aggregate-node.js';
import { CallNode } from '../ir/call-node.js';
import { CaseNode } from '../ir/case-node.js';
import { ColumnNode } from '../ir/column-node.js';
import { DistinctNode } from '../ir/distinct-node.js';
import { FilterNode } from '../ir/filter-node.js';
import { InSubqueryNode } from '../ir/in-subquery-node.js';
import type {
  ColumnSchema,
  IrType,
  JoinKind,
  JoinOutput,
  LiteralValue,
  NamedScalar,
  RelationNode,
  ScalarNode,
  SortKey,
} from '../ir/ir-node.js';
import { JoinNode } from '../ir/join-node.js';
import { LimitNode } from '../ir/limit-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { MakeSeriesNode } from '../ir/make-series-node.js';
import { MvExpandNode } from '../ir/mv-expand-node.js';
import { OrdinalNode } from '../ir/ordinal-node.js';
import { ProjectNode } from '../ir/project-node.js';
import { RangeNode } from '../ir/range-node.js';
import { SampleNode } from '../ir/sample-node.js';
import { ScalarSubqueryNode } from '../ir/scalar-subquery-node.js';
import { ScanNode } from '../ir/scan-node.js';
import { SortNode } from '../ir/sort-node.js';
import { UnionNode } from '../ir/union-node.js';
import { ValuesNode } from '../ir/values-node.js';
import { WindowNode } from '../ir/window-node.js';
import { ExternalSourceLowerer } from './external-source-lowerer.js';
import {
  child,
  columnsOf,
  expressionResultName,
  type KNode,
  type KType,
  listElements,
  nameText,
  ownText,
  requiredChild,
  symbolKind,
  syntaxKind,
} from '../parse/kusto-syntax.js';
import { acceptsArgumentCount, resolveFunction } from '../sql/function-map.js';
import { literalValue, parseDatetimeLiteral, parseTimespanLiteral } from './literal-values.js';
import { escapeRegex, strftimeFormat, termPattern, type TermMatch } from './term-pattern.js';

type Binding =
  | { readonly kind: 'scalar'; readonly node: ScalarNode }
  | { readonly kind: 'relation'; readonly node: RelationNode }
  | { readonly kind: 'lambda'; readonly declaration: KNode };

interface ScalarContext {
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

export interface LoweringInput {
  readonly text: string;
  readonly root: KNode;
  /** For the DuckDB columns of stored tables (`storageName`). */
  readonly database: DatabaseSchema;
  readonly params: QueryParameterValues;
  readonly now: Date;
}

const SCALAR_TYPES: ReadonlySet<string> = new Set(KUSTO_SCALAR_TYPES);

export function kustoType(type: KType | null | string): KustoScalarType {
  const name = typeof type === 'string' ? type : (type?.Name ?? 'unknown');
  if (name === 'boolean') {
    return 'bool';
  }
  if (name === 'double') {
    return 'real';
  }
  if (SCALAR_TYPES.has(name)) {
    return name as KustoScalarType;
  }
  return 'dynamic';
}

/**
 * Kusto.Language types series_decompose_forecast() as a 4-value tuple (baseline, seasonal, trend, residual)
 * while ADX documents and returns one array (the forecast); the three extra columns it adds to result
 * schemas are dropped here so schemas match the service.
 */
const FORECAST_PHANTOM = /^series_decompose_forecast_.+_(seasonal|trend|residual)$/;

function schemaOf(type: KType | null): ColumnSchema[] {
  return columnsOf(type)
    .filter((c) => !FORECAST_PHANTOM.test(c.name))
    .map((c) => ({ name: c.name, type: kustoType(c.type) }));
}

function isForecastCall(node: KNode): boolean {
  return (
    syntaxKind(node) === 'FunctionCallExpression' &&
    nameText(requiredChild(node, 'Name')) === 'series_decompose_forecast'
  );
}

const BINARY_OPERATORS = new Set([
  'AddExpression',
  'SubtractExpression',
  'MultiplyExpression',
  'DivideExpression',
  'ModuloExpression',
  'LessThanExpression',
  'LessThanOrEqualExpression',
  'GreaterThanExpression',
  'GreaterThanOrEqualExpression',
  'EqualExpression',
  'NotEqualExpression',
  'AndExpression',
  'OrExpression',
  'EqualTildeExpression',
  'BangTildeExpression',
  'ContainsExpression',
  'ContainsCsExpression',
  'NotContainsExpression',
  'NotContainsCsExpression',
  'StartsWithExpression',
  'StartsWithCsExpression',
  'NotStartsWithExpression',
  'NotStartsWithCsExpression',
  'EndsWithExpression',
  'EndsWithCsExpression',
  'NotEndsWithExpression',
  'NotEndsWithCsExpression',
  'MatchesRegexExpression',
  'LikeExpression',
  'LikeCsExpression',
  'NotLikeExpression',
  'NotLikeCsExpression',
]);

const TERM_OPERATORS: Record<string, { match: TermMatch; cs: boolean; negated: boolean }> = {
  HasExpression: { match: 'has', cs: false, negated: false },
  HasCsExpression: { match: 'has', cs: true, negated: false },
  NotHasExpression: { match: 'has', cs: false, negated: true },
  NotHasCsExpression: { match: 'has', cs: true, negated: true },
  HasPrefixExpression: { match: 'hasprefix', cs: false, negated: false },
  HasPrefixCsExpression: { match: 'hasprefix', cs: true, negated: false },
  NotHasPrefixExpression: { match: 'hasprefix', cs: false, negated: true },
  NotHasPrefixCsExpression: { match: 'hasprefix', cs: true, negated: true },
  HasSuffixExpression: { match: 'hassuffix', cs: false, negated: false },
  HasSuffixCsExpression: { match: 'hassuffix', cs: true, negated: false },
  NotHasSuffixExpression: { match: 'hassuffix', cs: false, negated: true },
  NotHasSuffixCsExpression: { match: 'hassuffix', cs: true, negated: true },
};

/** Operators that only reshuffle, drop or keep columns: the output is Kusto's result schema, by name. */
const COLUMN_SELECTION_OPERATORS = new Set([
  'ProjectAwayOperator',
  'ProjectKeepOperator',
  'ProjectReorderOperator',
  'AsOperator',
  'RenderOperator',
]);

const AGGREGATE_NAMES = new Set([
  'count',
  'countif',
  'sum',
  'sumif',
  'avg',
  'avgif',
  'min',
  'max',
  'minif',
  'maxif',
  'dcount',
  'dcountif',
  'count_distinct',
  'count_distinctif',
  'stdev',
  'stdevif',
  'stdevp',
  'variance',
  'varianceif',
  'variancep',
  'make_list',
  'make_list_if',
  'make_list_with_nulls',
  'make_set',
  'make_set_if',
  'make_bag',
  'any',
  'anyif',
  'take_any',
  'take_anyif',
  'percentile',
]);

/** What a typed `parse` column matches (Kusto reads numbers and booleans greedily, text lazily). */
const PARSE_CAPTURES: Partial<Record<KustoScalarType, string>> = {
  int: '(-?\\d+)',
  long: '(-?\\d+)',
  real: '(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)',
  decimal: '(-?\\d+(?:\\.\\d+)?)',
  bool: '(true|false|True|False|TRUE|FALSE|1|0)',
  guid: '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})',
};

const LITERAL_KIND_TYPES: Record<string, KustoScalarType> = {
  BooleanLiteralExpression: 'bool',
  IntLiteralExpression: 'int',
  LongLiteralExpression: 'long',
  RealLiteralExpression: 'real',
  DecimalLiteralExpression: 'decimal',
  DateTimeLiteralExpression: 'datetime',
  TimespanLiteralExpression: 'timespan',
  GuidLiteralExpression: 'guid',
  StringLiteralExpression: 'string',
  CompoundStringLiteralExpression: 'string',
};

const IGNORED_FUNCTIONS_IN_SUMMARY = new Set(['percentiles', 'percentilesw']);

export class KqlLowerer {
  private readonly scopes: Map<string, Binding>[] = [new Map<string, Binding>()];
  /** While lowering a toscalar(): the number of scopes outside it (see isOutsideToscalar). */
  private toscalarScopeFloor: number | undefined;
  private readonly order = new WeakMap<RelationNode, readonly SortKey[]>();

  /** `external_table()` and `externaldata` sources, for the engine to prepare before it runs the SQL. */
  readonly external = new ExternalSourceLowerer((node) => this.position(node));

  constructor(private readonly input: LoweringInput) {}

  /** One relation per result-producing statement, in order. */
  lowerQuery(): RelationNode[] {
    const results: RelationNode[] = [];
    for (const statement of listElements(child(this.input.root, 'Statements'))) {
      const fork = this.forkStatement(statement);
      if (fork) {
        results.push(...fork);
        continue;
      }
      const relation = this.statement(statement);
      if (relation) {
        results.push(relation);
      }
    }
    return results;
  }

  // ── statements ──────────────────────────────────────────────────────────────────────────────

  private statement(node: KNode): RelationNode | undefined {
    const kind = syntaxKind(node);
    switch (kind) {
      case 'LetStatement':
        this.letStatement(node);
        return undefined;
      case 'QueryParametersStatement':
        this.queryParameters(node);
        return undefined;
      case 'SetOptionStatement':
      case 'AliasStatement':
      case 'RestrictStatement':
        return undefined;
      case 'ExpressionStatement': {
        const expr = requiredChild(node, 'Expression');
        if (!expr.ResultType?.Columns && syntaxKind(expr) !== 'PipeExpression') {
          // A scalar expression statement behaves like `print`.
          const value = this.scalar(expr, {});
          return ProjectNode.create(
            this.singleRow(),
            [{ name: 'print_0', expr: value }],
            [{ name: 'print_0', type: kustoType(expr.ResultType) }],
          );
        }
        return this.tabular(expr);
      }
      default:
        throw this.unsupported(`statement ${kind}`, node);
    }
  }

  /** `T | fork (op…) (op…)`: one result table per branch, each branch applied to the same input. */
  private forkStatement(node: KNode): RelationNode[] | undefined {
    if (syntaxKind(node) !== 'ExpressionStatement') {
      return undefined;
    }
    const expr = requiredChild(node, 'Expression');
    const op = syntaxKind(expr) === 'PipeExpression' ? requiredChild(expr, 'Operator') : undefined;
    if (!op || syntaxKind(op) !== 'ForkOperator') {
      return undefined;
    }
    const input = this.tabular(requiredChild(expr, 'Expression'));
    return listElements(child(op, 'Expressions')).map((branch) =>
      this.operatorChain(input, requiredChild(branch, 'Expression')),
    );
  }

  /** Applies a source-less operator pipeline (`where … | take …`) to `input`. */
  private operatorChain(input: RelationNode, node: KNode): RelationNode {
    if (syntaxKind(node) === 'PipeExpression') {
      return this.operator(
        this.operatorChain(input, requiredChild(node, 'Expression')),
        requiredChild(node, 'Operator'),
      );
    }
    if (syntaxKind(node) === 'ParenthesizedExpression') {
      return this.operatorChain(input, requiredChild(node, 'Expression'));
    }
    return this.operator(input, node);
  }

  private letStatement(node: KNode): void {
    const name = nameText(requiredChild(node, 'Name'));
    const expr = requiredChild(node, 'Expression');
    const kind = syntaxKind(expr);
    if (kind === 'FunctionDeclaration') {
      this.bind(name, { kind: 'lambda', declaration: expr });
      return;
    }
    if (expr.ResultType?.Columns) {
      this.bind(name, { kind: 'relation', node: this.tabular(expr) });
    } else {
      this.bind(name, { kind: 'scalar', node: this.scalar(expr, {}) });
    }
  }

  private queryParameters(node: KNode): void {
    const list = child(node, 'Parameters');
    const declarations = list ? listElements(child(list, 'Parameters') ?? list) : [];
    for (const declaration of declarations) {
      const nameAndType = child(declaration, 'NameAndType') ?? declaration;
      const name = nameText(requiredChild(nameAndType, 'Name'));
      const typeNode = requiredChild(nameAndType, 'Type');
      const type = kustoType(typeNode.toString().trim().toLowerCase());
      const defaultClause = child(declaration, 'DefaultValue');
      const supplied = Object.prototype.hasOwnProperty.call(this.input.params, name);
      if (supplied) {
        // The value is bound per execution (compiled queries are cached), validated in kql-compiler.ts.
        const { line, column } = this.position(declaration);
        this.bind(name, {
          kind: 'scalar',
          node: LiteralNode.create({ slot: 'query', name, type, line, column }, type),
        });
      } else if (defaultClause) {
        const valueNode =
          child(defaultClause, 'Value') ?? child(defaultClause, 'Expression') ?? defaultClause;
        this.bind(name, { kind: 'scalar', node: this.scalar(valueNode, {}) });
      } else {
        throw new KqlCompileError(
          'PARAMETER',
          `query parameter '${name}' (${type}) is declared without a default and no value was supplied`,
          this.position(declaration),
        );
      }
    }
  }

  // ── tabular expressions ───────────────────────────────────────────────────────────────────────

  tabular(node: KNode): RelationNode {
    const kind = syntaxKind(node);
    switch (kind) {
      case 'PipeExpression':
        return this.operator(
          this.tabular(requiredChild(node, 'Expression')),
          requiredChild(node, 'Operator'),
        );
      case 'ParenthesizedExpression':
        return this.tabular(requiredChild(node, 'Expression'));
      case 'NameReference':
        return this.tableReference(node);
      case 'FunctionCallExpression':
        return this.tabularCall(node);
      case 'DataTableExpression':
        return this.datatable(node);
      case 'ExternalDataExpression':
        return this.external.data(node, schemaOf(node.ResultType));
      case 'PrintOperator':
        return this.print(node);
      case 'RangeOperator':
        return this.range(node);
      case 'UnionOperator':
        return this.union(undefined, node);
      case 'MaterializeExpression':
        return this.tabular(requiredChild(node, 'Expression'));
      default:
        throw this.unsupported(`tabular expression ${describe(node)}`, node);
    }
  }

  private tableReference(node: KNode): RelationNode {
    const symbol = node.ReferencedSymbol;
    const name = nameText(node);
    if (symbol && symbolKind(symbol) === 'Table') {
      return this.scan(symbol.Name, schemaOf(node.ResultType));
    }
    const binding = this.lookup(name);
    if (binding?.kind === 'relation') {
      return binding.node;
    }
    if (symbol && symbolKind(symbol) === 'Function') {
      return this.expandFunction(node, []);
    }
    throw this.unsupported(`table reference '${name}'`, node);
  }

  private scan(table: string, columns: ColumnSchema[]): RelationNode {
    const stored = this.input.database.tables.find((t) => t.name === table);
    const storageNames = columns.map(
      (c) => stored?.columns.find((s) => s.name === c.name)?.storageName ?? c.name,
    );
    return ScanNode.create(table, columns, storageNames);
  }

  private tabularCall(node: KNode): RelationNode {
    const nameNode = requiredChild(node, 'Name');
    const name = nameText(nameNode);
    const args = this.callArguments(node);
    if (name === 'materialize' && args.length === 1) {
      return this.tabular(args[0]);
    }
    if (name === 'external_table' && args.length >= 1) {
      return this.external.table(args[0], schemaOf(node.ResultType));
    }
    if (name === 'table' && args.length >= 1) {
      const tableName = typeof args[0].ConstantValue === 'string' ? args[0].ConstantValue : nameText(args[0]);
      return this.scan(tableName, schemaOf(node.ResultType));
    }
    const expansion = node.GetExpansion();
    if (expansion) {
      return this.expandFunction(node, args);
    }
    throw this.unsupported(`tabular function ${name}()`, node);
  }

  private expandFunction(call: KNode, args: KNode[]): RelationNode {
    const expansion = call.GetExpansion();
    if (!expansion) {
      throw this.unsupported(`function ${nameText(call)}`, call);
    }
    const frame = this.argumentFrame(call, args);
    this.scopes.push(frame);
    try {
      for (const statement of listElements(child(expansion, 'Statements'))) {
        this.statement(statement);
      }
      const body = requiredChild(expansion, 'Expression');
      return this.tabular(body);
    } finally {
      this.scopes.pop();
    }
  }

  /** Binds a call's arguments (positional, named, defaults) to the callee's parameter names. */
  private argumentFrame(call: KNode, args: KNode[]): Map<string, Binding> {
    const frame = new Map<string, Binding>();
    const signature = (call as unknown as { ReferencedSignature?: KSignature | null }).ReferencedSignature;
    const parameters = signature ? listOf(signature.Parameters) : [];
    const named = new Map<string, KNode>();
    const positional: KNode[] = [];
    for (const arg of args) {
      if (syntaxKind(arg) === 'SimpleNamedExpression') {
        named.set(nameText(requiredChild(arg, 'Name')), requiredChild(arg, 'Expression'));
      } else {
        positional.push(arg);
      }
    }
    parameters.forEach((p, i) => {
      const arg = named.get(p.Name) ?? positional[i];
      const valueNode = arg ?? p.DefaultValue;
      if (!valueNode) {
        throw new KqlCompileError(
          'SEMANTIC',
          `function ${nameText(call)}: missing argument '${p.Name}'`,
          this.position(call),
        );
      }
      if (valueNode.ResultType?.Columns) {
        frame.set(p.Name, { kind: 'relation', node: this.tabular(valueNode) });
      } else {
        frame.set(p.Name, { kind: 'scalar', node: this.scalar(valueNode, {}) });
      }
    });
    return frame;
  }

  private datatable(node: KNode): RelationNode {
    const columns = schemaOf(node.ResultType);
    const values = listElements(child(node, 'Values')).map((v) => this.scalar(v, {}));
    if (columns.length === 0) {
      throw this.unsupported('datatable without columns', node);
    }
    const rows: ScalarNode[][] = [];
    for (let i = 0; i < values.length; i += columns.length) {
      rows.push(values.slice(i, i + columns.length).map((v, c) => this.coerce(v, columns[c].type)));
    }
    return ValuesNode.create(rows, columns);
  }

  private print(node: KNode): RelationNode {
    const columns = schemaOf(node.ResultType);
    const exprs = listElements(child(node, 'Expressions'));
    const outputs = exprs.map((e, i) => ({ name: columns[i].name, expr: this.scalar(unnamed(e), {}) }));
    return ProjectNode.create(this.singleRow(), outputs, columns);
  }

  private range(node: KNode): RelationNode {
    const columns = schemaOf(node.ResultType);
    const from = this.scalar(requiredChild(node, 'From'), {});
    const to = this.scalar(requiredChild(node, 'To'), {});
    const step = this.scalar(requiredChild(node, 'Step'), {});
    return RangeNode.create(
      this.coerce(from, columns[0].type),
      this.coerce(to, columns[0].type),
      step,
      columns,
    );
  }

  private singleRow(): RelationNode {
    return ValuesNode.create([[]], []);
  }

  // ── query operators ───────────────────────────────────────────────────────────────────────────

  private operator(input: RelationNode, op: KNode): RelationNode {
    const kind = syntaxKind(op);
    const columns = schemaOf(op.ResultType);
    const order = this.order.get(input);
    const ctx: ScalarContext = { order };
    switch (kind) {
      case 'FilterOperator':
        return this.keepOrder(
          input,
          FilterNode.create(input, this.predicate(requiredChild(op, 'Condition'), ctx), input.columns),
        );
      case 'TakeOperator':
        return this.keepOrder(
          input,
          LimitNode.create(input, this.scalar(requiredChild(op, 'Expression'), ctx), input.columns),
        );
      case 'ExtendOperator':
      case 'SerializeOperator':
        return this.keepOrder(
          input,
          this.extend(input, listElements(child(op, 'Expressions')), columns, ctx),
        );
      case 'ProjectOperator':
        return this.keepOrder(
          input,
          this.project(input, listElements(child(op, 'Expressions')), columns, ctx),
        );
      case 'ProjectRenameOperator':
        return this.keepOrder(input, this.projectRename(input, op, columns));
      case 'SummarizeOperator':
        return this.summarize(input, op, columns);
      case 'CountOperator':
        return AggregateNode.create(
          input,
          [],
          [{ name: columns[0].name, expr: CallNode.create('count', [], 'long') }],
          columns,
        );
      case 'DistinctOperator':
        return this.distinct(input, op, columns);
      case 'SortOperator':
        return this.sort(input, listElements(child(op, 'Expressions')), columns);
      case 'TopOperator': {
        const sorted = this.sort(input, [requiredChild(op, 'ByExpression')], columns);
        return this.keepOrder(
          sorted,
          LimitNode.create(sorted, this.scalar(requiredChild(op, 'Expression'), ctx), columns),
        );
      }
      case 'JoinOperator':
        return this.join(input, op, columns);
      case 'LookupOperator':
        return this.lookupOperator(input, op, columns);
      case 'UnionOperator':
        return this.union(input, op);
      case 'MvExpandOperator':
        return this.mvExpand(input, op, columns);
      case 'MakeSeriesOperator':
        return this.makeSeries(input, op, columns);
      case 'ParseOperator':
        return this.parse(input, op, columns);
      case 'SampleOperator':
        return SampleNode.create(input, this.scalar(requiredChild(op, 'Expression'), ctx), columns);
      case 'GetSchemaOperator':
        return this.getSchema(input, columns);
      default:
        if (COLUMN_SELECTION_OPERATORS.has(kind)) {
          return this.keepOrder(input, this.selectColumns(input, columns));
        }
        throw this.unsupported(`operator '${describe(op)}'`, op);
    }
  }

  private keepOrder(input: RelationNode, output: RelationNode): RelationNode {
    const order = this.order.get(input);
    if (order) {
      this.order.set(output, order);
    }
    return output;
  }

  private selectColumns(input: RelationNode, columns: ColumnSchema[]): RelationNode {
    return ProjectNode.create(
      input,
      columns.map((c) => ({ name: c.name, expr: ColumnNode.create(c.name, c.type) })),
      columns,
    );
  }

  private extend(
    input: RelationNode,
    exprs: KNode[],
    columns: ColumnSchema[],
    ctx: ScalarContext,
  ): RelationNode {
    const defined = new Map<string, ScalarNode>();
    let base = input;
    const prepare = (value: ScalarNode): ScalarNode => {
      const name = `__prep_${base.columns.length}`;
      const type = value.type === 'struct' ? 'dynamic' : value.type;
      base = ProjectNode.create(
        base,
        [
          ...base.columns.map((c) => ({ name: c.name, expr: ColumnNode.create(c.name, c.type) })),
          { name, expr: value },
        ],
        [...base.columns, { name, type }],
      );
      return ColumnNode.create(name, type);
    };
    ctx = { ...ctx, prepare };
    const inputNames = new Set(input.columns.map((c) => c.name));
    const newNames = columns.map((c) => c.name).filter((n) => !inputNames.has(n));
    let unnamedIndex = 0;
    for (const e of exprs) {
      const kind = syntaxKind(e);
      if (kind === 'CompoundNamedExpression') {
        this.compoundAssignment(e, defined, { ...ctx, overrides: defined });
        continue;
      }
      if (syntaxKind(unnamed(e)) === 'FunctionCallExpression' && unnamed(e).ResultType?.Columns) {
        // `extend series_fit_line(y)`: one column per value, named by Kusto (series_fit_line_y_slope…);
        // `extend f = series_decompose_forecast(…)` names the first value.
        const parts = this.multiValueCall(unnamed(e), { ...ctx, overrides: defined });
        const values = isForecastCall(unnamed(e))
          ? columnsOf(unnamed(e).ResultType).slice(0, 1)
          : columnsOf(unnamed(e).ResultType);
        values.forEach((c, i) => {
          const name =
            i === 0 && kind === 'SimpleNamedExpression' ? nameText(requiredChild(e, 'Name')) : c.name;
          defined.set(name, parts[i]);
        });
        continue;
      }
      const value = this.scalar(unnamed(e), { ...ctx, overrides: defined });
      let name: string;
      if (kind === 'SimpleNamedExpression') {
        name = nameText(requiredChild(e, 'Name'));
      } else if (syntaxKind(e) === 'NameReference' && inputNames.has(nameText(e))) {
        name = nameText(e);
      } else if (inputNames.has(expressionResultName(e) ?? '')) {
        // `extend abs(x)` is named `x` by Kusto and so replaces x in place, like `extend x = abs(x)`.
        name = expressionResultName(e) ?? '';
      } else {
        name = newNames.filter((n) => !defined.has(n))[unnamedIndex] ?? newNames[unnamedIndex];
        unnamedIndex += 0;
      }
      defined.set(name, value);
    }
    const outputs = columns.map((c) => ({
      name: c.name,
      expr: this.coerce(defined.get(c.name) ?? ColumnNode.create(c.name, c.type), c.type),
    }));
    const projected = ProjectNode.create(base, outputs, columns);
    return this.resortAfterWindows(projected, outputs, ctx.order, defined);
  }

  /**
   * Window functions (row_number, prev, next, partitions) leave DuckDB free to emit rows in another order;
   * a serialized input keeps its order in Kusto, so the sort is re-applied on top when its keys survive.
   */
  private resortAfterWindows(
    projected: RelationNode,
    outputs: readonly NamedScalar[],
    order: readonly SortKey[] | undefined,
    redefined: ReadonlyMap<string, ScalarNode>,
  ): RelationNode {
    if (!order || order.length === 0 || !outputs.some((o) => containsWindow(o.expr))) {
      return projected;
    }
    const names = new Set(projected.columns.map((c) => c.name));
    const keysSurvive = order.every(
      (k) => k.expr.kind === 'Column' && names.has(k.expr.name) && !redefined.has(k.expr.name),
    );
    if (!keysSurvive) {
      return projected;
    }
    const sorted = SortNode.create(projected, order, projected.columns);
    this.order.set(sorted, order);
    return sorted;
  }

  /** `extend (a, b) = series_fit_line(y)`-style assignments of functions that return several values. */
  private compoundAssignment(e: KNode, defined: Map<string, ScalarNode>, ctx: ScalarContext): void {
    const names = listElements(child(requiredChild(e, 'Names'), 'Names')).map((n) => nameText(n));
    const call = requiredChild(e, 'Expression');
    const parts = this.multiValueCall(call, ctx);
    // Values without a name in the tuple keep Kusto's default names (series_stats_x_stdev…).
    const defaults = columnsOf(call.ResultType).map((c) => c.name);
    parts.forEach((part, i) => {
      const name = names[i] ?? defaults[i];
      if (!FORECAST_PHANTOM.test(name)) {
        defined.set(name, part);
      }
    });
  }

  private project(
    input: RelationNode,
    exprs: KNode[],
    columns: ColumnSchema[],
    ctx: ScalarContext,
  ): RelationNode {
    const defined = new Map<string, ScalarNode>();
    const outputs: NamedScalar[] = [];
    let position = 0;
    for (const e of exprs) {
      if (syntaxKind(e) === 'CompoundNamedExpression') {
        const before = new Map(defined);
        this.compoundAssignment(e, defined, { ...ctx, overrides: before });
        for (const [name, value] of defined) {
          if (!before.has(name)) {
            outputs.push({ name, expr: value });
            position++;
          }
        }
        continue;
      }
      if (syntaxKind(unnamed(e)) === 'FunctionCallExpression' && unnamed(e).ResultType?.Columns) {
        const parts = this.multiValueCall(unnamed(e), { ...ctx, overrides: defined });
        const values = isForecastCall(unnamed(e)) ? parts.slice(0, 1) : parts;
        values.forEach((_, i) => {
          const column = columns[position];
          outputs.push({ name: column.name, expr: this.coerce(parts[i], column.type) });
          defined.set(column.name, parts[i]);
          position++;
        });
        continue;
      }
      const column = columns[position];
      if (!column) {
        throw this.unsupported('project expression expanding to several columns', e);
      }
      const value = this.coerce(this.scalar(unnamed(e), { ...ctx, overrides: defined }), column.type);
      defined.set(column.name, value);
      outputs.push({ name: column.name, expr: value });
      position++;
    }
    return ProjectNode.create(input, outputs, columns);
  }

  private projectRename(input: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const renames = new Map<string, string>();
    for (const e of listElements(child(op, 'Expressions'))) {
      if (syntaxKind(e) === 'SimpleNamedExpression') {
        renames.set(nameText(requiredChild(e, 'Name')), nameText(requiredChild(e, 'Expression')));
      }
    }
    return ProjectNode.create(
      input,
      columns.map((c) => ({ name: c.name, expr: ColumnNode.create(renames.get(c.name) ?? c.name, c.type) })),
      columns,
    );
  }

  private distinct(input: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const exprs = listElements(child(op, 'Expressions'));
    if (exprs.length === 1 && syntaxKind(exprs[0]) === 'StarExpression') {
      return DistinctNode.create(input, columns);
    }
    const groupBy = exprs.map((e, i) => ({ name: columns[i].name, expr: this.scalar(unnamed(e), {}) }));
    return AggregateNode.create(input, groupBy, [], columns);
  }

  private sort(input: RelationNode, exprs: KNode[], columns: ColumnSchema[]): RelationNode {
    const keys: SortKey[] = exprs.map((e) => {
      let expr = e;
      let descending = true;
      let nullsFirst: boolean | undefined;
      if (syntaxKind(e) === 'OrderedExpression') {
        expr = requiredChild(e, 'Expression');
        const ordering = child(e, 'Ordering');
        if (ordering) {
          const ascDesc = child(ordering, 'AscOrDescKeyword');
          if (ascDesc && ascDesc.Text.toLowerCase() === 'asc') {
            descending = false;
          }
          const nulls = child(ordering, 'NullsClause');
          const firstLast = nulls ? child(nulls, 'FirstOrLastKeyword') : null;
          if (firstLast) {
            nullsFirst = firstLast.Text.toLowerCase() === 'first';
          }
        }
      }
      // ADX defaults: descending → nulls last, ascending → nulls first.
      return { expr: this.scalar(expr, {}), descending, nullsFirst: nullsFirst ?? !descending };
    });
    const sorted = SortNode.create(input, keys, columns);
    this.order.set(sorted, keys);
    return sorted;
  }

  private summarize(input: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const byClause = child(op, 'ByClause');
    const byExprs = byClause ? listElements(child(byClause, 'Expressions')) : [];
    const aggExprs = listElements(child(op, 'Aggregates'));
    const groupBy: NamedScalar[] = byExprs.map((e, i) => ({
      name: columns[i].name,
      expr: this.coerce(this.scalar(unnamed(e), {}), columns[i].type),
    }));
    let position = byExprs.length;
    const aggregates: NamedScalar[] = [];
    const finals: NamedScalar[] = groupBy.map((g) => ({
      name: g.name,
      expr: ColumnNode.create(g.name, this.irScalarType(g.expr)),
    }));
    let needsFinalProjection = false;
    aggExprs.forEach((agg, index) => {
      const call = unnamed(agg);
      const width = call.ResultType?.Columns ? call.ResultType.Columns.Count : 1;
      const outputs = columns.slice(position, position + width);
      position += width;
      const fname =
        syntaxKind(call) === 'FunctionCallExpression' ? nameText(requiredChild(call, 'Name')) : '';
      if (fname === 'arg_max' || fname === 'arg_min') {
        needsFinalProjection = true;
        const structName = `__${fname}_${index}`;
        const args = this.callArguments(call);
        const target = this.scalar(args[0], {});
        // `arg_max(t, *)` takes the input columns Kusto lists; `arg_max(t, a, b = c)` the given expressions.
        const sources = args.slice(1).some((a) => syntaxKind(a) === 'StarExpression')
          ? listOfColumns(call.ResultType).map((c, i) =>
              i === 0 ? target : ColumnNode.create(c.name, kustoType(c.type)),
            )
          : [target, ...args.slice(1).map((a) => this.scalar(unnamed(a), {}))];
        aggregates.push({
          name: structName,
          expr: CallNode.create(`${fname}_struct`, [target, ...sources], 'struct'),
        });
        outputs.forEach((o, i) => {
          finals.push({
            name: o.name,
            expr: this.coerce(
              CallNode.create(
                'struct_field',
                [ColumnNode.create(structName, 'struct'), OrdinalNode.create(i + 1)],
                o.type,
              ),
              o.type,
            ),
          });
        });
        return;
      }
      if (IGNORED_FUNCTIONS_IN_SUMMARY.has(fname)) {
        const args = this.callArguments(call);
        const value = this.scalar(args[0], {});
        args.slice(1).forEach((p, i) => {
          const o = outputs[i];
          const fraction = this.percentFraction(p);
          aggregates.push({
            name: o.name,
            expr: this.coerce(CallNode.create('percentile', [value, fraction], o.type), o.type),
          });
          finals.push({ name: o.name, expr: ColumnNode.create(o.name, o.type) });
        });
        return;
      }
      const o = outputs[0];
      if (!o) {
        throw this.unsupported(`aggregate ${describe(agg)}`, agg);
      }
      if (syntaxKind(call) === 'FunctionCallExpression' && this.isAggregateCall(call)) {
        aggregates.push({ name: o.name, expr: this.coerce(this.aggregate(call), o.type) });
        finals.push({ name: o.name, expr: ColumnNode.create(o.name, o.type) });
        return;
      }
      // An expression over aggregates (`100.0 * countif(ok) / count()`): aggregate first, compute after.
      needsFinalProjection = true;
      const collect = (aggregate: ScalarNode): ScalarNode => {
        const name = `__agg_${index}_${aggregates.length}`;
        aggregates.push({ name, expr: aggregate });
        return ColumnNode.create(name, aggregate.type);
      };
      finals.push({ name: o.name, expr: this.coerce(this.scalar(call, { collect }), o.type) });
    });
    const aggregate = AggregateNode.create(
      input,
      groupBy,
      aggregates,
      needsFinalProjection
        ? [
            ...groupBy.map((g) => ({
              name: g.name,
              type: columns.find((c) => c.name === g.name)?.type ?? 'dynamic',
            })),
            ...aggregates.map((a) => ({
              name: a.name,
              type: a.expr.type === 'struct' ? ('dynamic' as const) : a.expr.type,
            })),
          ]
        : columns,
    );
    return needsFinalProjection ? ProjectNode.create(aggregate, finals, columns) : aggregate;
  }

  private percentFraction(p: KNode): ScalarNode {
    const v = p.ConstantValue;
    if (typeof v === 'number') {
      return LiteralNode.create(v / 100, 'real');
    }
    return CallNode.create('DivideExpression', [this.scalar(p, {}), LiteralNode.create(100, 'real')], 'real');
  }

  private isAggregateCall(call: KNode): boolean {
    const name = nameText(requiredChild(call, 'Name'));
    if (name === 'percentile') {
      return true;
    }
    const symbol = call.ReferencedSymbol as unknown as { IsAggregate?: boolean } | null;
    if (symbol?.IsAggregate) {
      return true;
    }
    return resolveFunction(name, [])?.mapping.aggregate === true || AGGREGATE_NAMES.has(name);
  }

  private aggregate(call: KNode): ScalarNode {
    if (syntaxKind(call) !== 'FunctionCallExpression') {
      throw this.unsupported(`aggregate expression ${describe(call)}`, call);
    }
    const name = nameText(requiredChild(call, 'Name'));
    const argNodes = this.callArguments(call);
    const type = kustoType(call.ResultType);
    if (name === 'percentile') {
      return CallNode.create(
        'percentile',
        [this.scalar(argNodes[0], {}), this.percentFraction(argNodes[1])],
        type,
      );
    }
    // dcount's accuracy level only tunes ADX's estimator; counts here are exact.
    const used =
      name === 'dcount' ? argNodes.slice(0, 1) : name === 'dcountif' ? argNodes.slice(0, 2) : argNodes;
    const args = used.map((a) => this.scalar(a, {}));
    // Lists and bags hold dynamic values: datetimes, timespans and guids enter them in Kusto's text forms.
    if (name.startsWith('make_list') || name.startsWith('make_set')) {
      const t = args[0]?.type;
      if (t === 'datetime' || t === 'timespan' || t === 'guid' || t === 'decimal') {
        args[0] = this.dynamicOf(args[0]);
      }
    }
    const resolved = resolveFunction(
      name,
      args.map((a) => this.irScalarType(a)),
    );
    if (!resolved?.mapping.aggregate) {
      throw this.unsupported(`aggregation function ${name}()`, call);
    }
    return CallNode.create(resolved.key, args, type);
  }

  private join(left: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const kind = (this.namedParameter(op, 'kind') ?? 'innerunique').toLowerCase() as
      JoinKind | 'anti' | 'semi' | 'leftantisemi' | 'rightantisemi';
    const joinKind: JoinKind | undefined = (
      {
        inner: 'inner',
        innerunique: 'innerunique',
        leftouter: 'leftouter',
        rightouter: 'rightouter',
        fullouter: 'fullouter',
        leftsemi: 'leftsemi',
        rightsemi: 'rightsemi',
        leftanti: 'leftanti',
        anti: 'leftanti',
        leftantisemi: 'leftanti',
        rightanti: 'rightanti',
        rightantisemi: 'rightanti',
      } as Record<string, JoinKind>
    )[kind];
    if (!joinKind) {
      throw this.unsupported(`join kind=${kind}`, op);
    }
    const right = this.tabular(requiredChild(op, 'Expression'));
    const on = this.joinConditions(op);
    let outputs: JoinOutput[];
    if (joinKind === 'leftsemi' || joinKind === 'leftanti') {
      outputs = left.columns.map((c) => ({ name: c.name, side: 'left', source: c.name }));
    } else if (joinKind === 'rightsemi' || joinKind === 'rightanti') {
      outputs = right.columns.map((c) => ({ name: c.name, side: 'right', source: c.name }));
    } else {
      outputs = columns.map((c, i) =>
        i < left.columns.length
          ? { name: c.name, side: 'left', source: left.columns[i].name }
          : { name: c.name, side: 'right', source: right.columns[i - left.columns.length].name },
      );
    }
    return JoinNode.create(left, right, joinKind, on, outputs, columns);
  }

  private lookupOperator(left: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const kind = (this.namedParameter(op, 'kind') ?? 'leftouter').toLowerCase();
    const right = this.tabular(requiredChild(op, 'Expression'));
    const on = this.joinConditions(op);
    const rightKeys = new Set(on.map((c) => c.right));
    const rightRest = right.columns.filter((c) => !rightKeys.has(c.name));
    const outputs: JoinOutput[] = columns.map((c, i) =>
      i < left.columns.length
        ? { name: c.name, side: 'left', source: left.columns[i].name }
        : { name: c.name, side: 'right', source: rightRest[i - left.columns.length].name },
    );
    return JoinNode.create(left, right, kind === 'inner' ? 'inner' : 'leftouter', on, outputs, columns);
  }

  private joinConditions(op: KNode): { left: string; right: string }[] {
    const clause = child(op, 'ConditionClause') ?? child(op, 'LookupClause');
    if (!clause || syntaxKind(clause) !== 'JoinOnClause') {
      throw this.unsupported(`join condition ${clause ? describe(clause) : '(none)'}`, op);
    }
    const conditions: KNode[] = [];
    const flatten = (e: KNode): void => {
      if (syntaxKind(e) === 'AndExpression') {
        flatten(requiredChild(e, 'Left'));
        flatten(requiredChild(e, 'Right'));
      } else {
        conditions.push(e);
      }
    };
    listElements(child(clause, 'Expressions')).forEach(flatten);
    return conditions.map((e) => {
      const k = syntaxKind(e);
      if (k === 'NameReference') {
        const n = nameText(e);
        return { left: n, right: n };
      }
      if (k === 'EqualExpression') {
        const l = requiredChild(e, 'Left');
        const r = requiredChild(e, 'Right');
        const side = (p: KNode): string => requiredChild(p, 'Expression').toString().trim();
        const col = (p: KNode): string => nameText(requiredChild(p, 'Selector'));
        if (side(l) === '$right') {
          return { left: col(r), right: col(l) };
        }
        return { left: col(l), right: col(r) };
      }
      throw this.unsupported(`join condition ${describe(e)} (only equality on columns)`, e);
    });
  }

  private union(first: RelationNode | undefined, op: KNode): RelationNode {
    const columns = schemaOf(op.ResultType);
    const withSource = this.namedParameter(op, 'withsource');
    const inner = (this.namedParameter(op, 'kind') ?? 'outer').toLowerCase() === 'inner';
    const exprs = listElements(child(op, 'Expressions'));
    const inputs: RelationNode[] = first ? [first] : [];
    const names: string[] = first ? ['union_arg0'] : [];
    for (const e of exprs) {
      inputs.push(this.tabular(e));
      const sym = e.ReferencedSymbol;
      const let_ = syntaxKind(e) === 'NameReference' ? this.lookup(nameText(e)) : undefined;
      names.push(
        sym && symbolKind(sym) === 'Table'
          ? sym.Name
          : let_ || (sym && symbolKind(sym) === 'Function')
            ? nameText(e)
            : `union_arg${names.length}`,
      );
    }
    // kind=inner keeps the columns every input has (same name and type), in the first input's order.
    const output = inner
      ? columns.filter(
          (c) =>
            c.name === withSource ||
            inputs.every((i) => i.columns.some((x) => x.name === c.name && x.type === c.type)),
        )
      : columns;
    return UnionNode.create(inputs, withSource ? { column: withSource, names } : undefined, output);
  }

  private mvExpand(input: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const expansions = listElements(child(op, 'Expressions')).map((e) => {
      const inner = requiredChild(e, 'Expression');
      const name =
        syntaxKind(inner) === 'SimpleNamedExpression'
          ? nameText(requiredChild(inner, 'Name'))
          : nameText(unnamed(inner));
      const type = columns.find((c) => c.name === name)?.type ?? 'dynamic';
      return { name, expr: this.scalar(unnamed(inner), {}), type };
    });
    const limitClause = child(op, 'LimitClause');
    const limit = limitClause ? this.scalar(requiredChild(limitClause, 'Expression'), {}) : undefined;
    const itemIndex = this.namedParameter(op, 'with_itemindex');
    const bagAsArray = (this.namedParameter(op, 'kind') ?? 'bag').toLowerCase() === 'array';
    return MvExpandNode.create(input, expansions, limit, itemIndex, bagAsArray, columns);
  }

  private makeSeries(input: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const onClause = requiredChild(op, 'OnClause');
    const axisNode = requiredChild(onClause, 'Expression');
    const axis = this.scalar(axisNode, {});
    const axisType = this.irScalarType(axis);
    const range = requiredChild(op, 'RangeClause');
    if (syntaxKind(range) !== 'MakeSeriesFromToStepClause') {
      throw this.unsupported('make-series without `from … to … step …`', range);
    }
    const clausePart = (clauseName: string): ScalarNode | undefined => {
      const c = child(range, clauseName);
      return c ? this.coerce(this.scalar(requiredChild(c, 'Expression'), {}), axisType) : undefined;
    };
    const start = clausePart('MakeSeriesFromClause');
    const stop = clausePart('MakeSeriesToClause');
    const stepClause = requiredChild(range, 'MakeSeriesStepClause');
    const step = this.scalar(requiredChild(stepClause, 'Expression'), {});
    if (!start || !stop) {
      throw this.unsupported('make-series without explicit from/to', range);
    }
    const byClause = child(op, 'ByClause');
    const byExprs = byClause ? listElements(child(byClause, 'Expressions')) : [];
    const groupBy = byExprs.map((e, i) => ({ name: columns[i].name, expr: this.scalar(unnamed(e), {}) }));
    const aggs = listElements(child(op, 'Aggregates'));
    const series = aggs.map((a, i) => {
      const expr = requiredChild(a, 'Expression');
      const defaultClause = child(a, 'DefaultExpression');
      const aggregate = this.aggregate(unnamed(expr));
      const type = this.irScalarType(aggregate);
      const defaultValue = defaultClause
        ? this.coerce(this.scalar(requiredChild(defaultClause, 'Expression'), {}), type)
        : LiteralNode.create(type === 'long' || type === 'int' ? 0n : type === 'real' ? 0 : null, type);
      return { name: columns[byExprs.length + i].name, aggregate, defaultValue };
    });
    const axisName = columns[byExprs.length + aggs.length].name;
    return MakeSeriesNode.create(
      input,
      axis,
      start,
      stop,
      step,
      axisType,
      groupBy,
      series,
      axisName,
      (this.namedParameter(op, 'kind') ?? '').toLowerCase() === 'nonempty',
      columns,
    );
  }

  private parse(input: RelationNode, op: KNode, columns: ColumnSchema[]): RelationNode {
    const source = this.scalar(requiredChild(op, 'Expression'), {});
    const patterns = listElements(child(op, 'Patterns'));
    let regex = '^';
    const captures: { name: string; type: KustoScalarType }[] = [];
    patterns.forEach((p, i) => {
      const k = syntaxKind(p);
      const last = i === patterns.length - 1;
      if (k === 'StarExpression') {
        regex += last ? '.*' : '.*?';
      } else if (k === 'NameAndTypeDeclaration' || k === 'NameDeclaration') {
        const name = nameText(requiredChild(p, 'Name'));
        const type = columns.find((c) => c.name === name)?.type ?? 'string';
        regex += PARSE_CAPTURES[type] ?? (last ? '(.*)' : '(.*?)');
        captures.push({ name, type });
      } else if (p.IsConstant && typeof p.ConstantValue === 'string') {
        regex += escapeRegex(p.ConstantValue);
      } else {
        throw this.unsupported(`parse pattern element ${describe(p)}`, p);
      }
    });
    const pattern = LiteralNode.create(regex, 'string');
    const matched = CallNode.create('regex_match', [source, pattern], 'bool');
    const defined = new Map<string, ScalarNode>();
    captures.forEach((c, i) => {
      const text = CallNode.create('extract', [pattern, OrdinalNode.create(i + 1), source], 'string');
      const typed = c.type === 'string' ? text : this.convert(text, c.type);
      defined.set(
        c.name,
        CaseNode.create(
          [{ when: matched, then: typed }],
          LiteralNode.create(c.type === 'string' ? '' : null, c.type),
          c.type,
        ),
      );
    });
    return ProjectNode.create(
      input,
      columns.map((c) => ({ name: c.name, expr: defined.get(c.name) ?? ColumnNode.create(c.name, c.type) })),
      columns,
    );
  }

  private getSchema(input: RelationNode, columns: ColumnSchema[]): RelationNode {
    const rows = input.columns.map((c, i) => [
      LiteralNode.create(c.name, 'string'),
      LiteralNode.create(i, 'int'),
      LiteralNode.create(clrTypeName(c.type), 'string'),
      LiteralNode.create(c.type, 'string'),
    ]);
    // ADX types ColumnOrdinal as int (Kusto.Language says long).
    const schema = columns.map((c) => (c.name === 'ColumnOrdinal' ? { ...c, type: 'int' as const } : c));
    return ValuesNode.create(rows, schema);
  }

  // ── scalar expressions ──────────────────────────────────────────────────────────────────────

  private predicate(node: KNode, ctx: ScalarContext): ScalarNode {
    const value = this.scalar(node, ctx);
    return this.irScalarType(value) === 'dynamic' ? this.convert(value, 'bool') : value;
  }

  scalar(node: KNode, ctx: ScalarContext): ScalarNode {
    const kind = syntaxKind(node);
    switch (kind) {
      case 'ParenthesizedExpression':
        return this.scalar(requiredChild(node, 'Expression'), ctx);
      case 'SimpleNamedExpression':
        return this.scalar(requiredChild(node, 'Expression'), ctx);
      case 'NameReference':
        return this.nameReference(node, ctx);
      case 'BooleanLiteralExpression':
      case 'IntLiteralExpression':
      case 'LongLiteralExpression':
      case 'RealLiteralExpression':
      case 'DecimalLiteralExpression':
      case 'DateTimeLiteralExpression':
      case 'TimespanLiteralExpression':
      case 'GuidLiteralExpression':
      case 'StringLiteralExpression':
      case 'CompoundStringLiteralExpression':
      case 'NullLiteralExpression':
      case 'DynamicExpression':
        return this.literal(node);
      case 'UnaryMinusExpression':
      case 'UnaryPlusExpression': {
        const operand = this.scalar(requiredChild(node, 'Expression'), ctx);
        return CallNode.create(kind, [operand], this.irScalarType(operand));
      }
      case 'InExpression':
      case 'InCsExpression':
      case 'NotInExpression':
      case 'NotInCsExpression':
        return this.inExpression(node, kind, ctx);
      case 'BetweenExpression':
      case 'NotBetweenExpression': {
        const left = this.scalar(requiredChild(node, 'Left'), ctx);
        const couple = requiredChild(node, 'Right');
        const low = this.scalar(requiredChild(couple, 'First'), ctx);
        let high = this.scalar(requiredChild(couple, 'Second'), ctx);
        const t = this.irScalarType(left);
        if (t === 'datetime' && high.type === 'timespan') {
          high = CallNode.create('AddExpression', [low, high], 'datetime');
        }
        return CallNode.create(
          kind,
          [
            left,
            this.coerce(low, t === 'dynamic' ? this.irScalarType(low) : t),
            this.coerce(high, t === 'dynamic' ? this.irScalarType(high) : t),
          ].map((a) => (this.irScalarType(a) === 'dynamic' ? this.convert(a, this.irScalarType(low)) : a)),
          'bool',
        );
      }
      case 'HasAnyExpression':
      case 'HasAllExpression':
        return this.hasAnyAll(node, kind, ctx);
      case 'PathExpression':
      case 'ElementExpression':
        return this.dynamicAccess(node, ctx);
      case 'FunctionCallExpression':
        return this.functionCall(node, ctx);
      case 'ToScalarExpression': {
        // ADX evaluates toscalar() once, outside any row: names bound to a row's values cannot reach inside.
        const outerFloor = this.toscalarScopeFloor;
        this.toscalarScopeFloor = this.scopes.length;
        let relation: RelationNode;
        try {
          relation = this.tabular(requiredChild(node, 'Expression'));
        } finally {
          this.toscalarScopeFloor = outerFloor;
        }
        const first = relation.columns[0];
        return ScalarSubqueryNode.create(
          ProjectNode.create(
            LimitNode.create(relation, LiteralNode.create(1n, 'long'), relation.columns),
            [{ name: first.name, expr: ColumnNode.create(first.name, first.type) }],
            [first],
          ),
          first.type,
        );
      }
      default:
        if (BINARY_OPERATORS.has(kind)) {
          return this.binary(node, kind, ctx);
        }
        if (TERM_OPERATORS[kind]) {
          return this.termOperator(node, kind, ctx);
        }
        throw this.unsupported(`expression ${describe(node)}`, node);
    }
  }

  private nameReference(node: KNode, ctx: ScalarContext): ScalarNode {
    const name = nameText(node);
    const symbol = node.ReferencedSymbol;
    const sk = symbol ? symbolKind(symbol) : '';
    if (sk === 'Column') {
      const override = ctx.overrides?.get(symbol!.Name);
      if (override) {
        return override;
      }
      return ColumnNode.create(symbol!.Name, kustoType(node.ResultType));
    }
    const binding = this.lookup(name);
    if (binding?.kind === 'scalar') {
      if (this.isOutsideToscalar(name) && dependsOnRow(binding.node)) {
        throw new KqlCompileError(
          'SEMANTIC',
          `'toscalar': can't use '${name}' as it is defined outside its row-context scope.`,
          this.position(node),
        );
      }
      return binding.node;
    }
    if (sk === 'Function') {
      return this.functionCall(node, ctx);
    }
    throw this.unsupported(`reference to '${name}'`, node);
  }

  private literal(node: KNode): ScalarNode {
    const kind = syntaxKind(node);
    // Default values in stored-function signatures are not analyzed (no ResultType): type them by kind.
    const type = node.ResultType ? kustoType(node.ResultType) : (LITERAL_KIND_TYPES[kind] ?? 'dynamic');
    const text = ownText(node);
    const lowered = text.toLowerCase();
    if (kind === 'NullLiteralExpression' || /^[a-z]+\(\s*null\s*\)$/.test(lowered)) {
      return LiteralNode.create(null, type);
    }
    switch (kind) {
      case 'StringLiteralExpression':
      case 'CompoundStringLiteralExpression':
        return LiteralNode.create(typeof node.ConstantValue === 'string' ? node.ConstantValue : '', 'string');
      case 'BooleanLiteralExpression':
        return LiteralNode.create(/true/i.test(text), 'bool');
      case 'LongLiteralExpression':
      case 'IntLiteralExpression': {
        const v = literalValue(type, text);
        if (v === undefined) {
          return LiteralNode.create(BigInt(String(node.ConstantValue)), type);
        }
        return LiteralNode.create(v, type);
      }
      case 'RealLiteralExpression': {
        const v = literalValue('real', text);
        return LiteralNode.create(v === undefined ? Number(node.ConstantValue) : v, 'real');
      }
      case 'DecimalLiteralExpression':
        return LiteralNode.create(literalValue('decimal', text) ?? String(node.ConstantValue), 'decimal');
      case 'DateTimeLiteralExpression': {
        const v = parseDatetimeLiteral(text);
        if (v === undefined) {
          throw new KqlCompileError('SYNTAX', `invalid datetime literal ${text}`, this.position(node));
        }
        return LiteralNode.create(v, 'datetime');
      }
      case 'TimespanLiteralExpression': {
        const v = parseTimespanLiteral(text);
        if (v === undefined) {
          throw new KqlCompileError('SYNTAX', `invalid timespan literal ${text}`, this.position(node));
        }
        return LiteralNode.create(v, 'timespan');
      }
      case 'GuidLiteralExpression': {
        const v = literalValue('guid', text);
        if (v === undefined) {
          throw new KqlCompileError('SYNTAX', `invalid guid literal ${text}`, this.position(node));
        }
        return LiteralNode.create(v, 'guid');
      }
      case 'DynamicExpression': {
        const v = literalValue('dynamic', text);
        if (v === undefined) {
          throw this.unsupported(`dynamic literal ${text} (only JSON content)`, node);
        }
        return LiteralNode.create(v, 'dynamic');
      }
      default:
        throw this.unsupported(`literal ${text}`, node);
    }
  }

  private binary(node: KNode, kind: string, ctx: ScalarContext): ScalarNode {
    let left = this.scalar(requiredChild(node, 'Left'), ctx);
    let right = this.scalar(requiredChild(node, 'Right'), ctx);
    const lt = this.irScalarType(left);
    const rt = this.irScalarType(right);
    // A dynamic value meeting a typed one is read as that type (Kusto compares the underlying value).
    if (lt === 'dynamic' && rt !== 'dynamic') {
      left = this.convert(left, rt === 'int' || rt === 'long' ? 'real' : rt);
    } else if (rt === 'dynamic' && lt !== 'dynamic') {
      right = this.convert(right, lt === 'int' || lt === 'long' ? 'real' : lt);
    } else if (
      lt === 'dynamic' &&
      rt === 'dynamic' &&
      kind !== 'EqualExpression' &&
      kind !== 'NotEqualExpression'
    ) {
      left = this.convert(left, 'string');
      right = this.convert(right, 'string');
    }
    const type = kustoType(node.ResultType);
    if (kind === 'EqualExpression' || kind === 'NotEqualExpression') {
      const isNull = (n: ScalarNode): boolean => n.kind === 'Literal' && n.value === null;
      const other = isNull(right) ? left : isNull(left) ? right : undefined;
      if (other) {
        return CaseNode.create(
          [{ when: CallNode.create('isnull', [other], 'bool'), then: LiteralNode.create(null, 'bool') }],
          LiteralNode.create(kind === 'NotEqualExpression', 'bool'),
          'bool',
        );
      }
    }
    const resolved = resolveFunction(kind, [this.irScalarType(left), this.irScalarType(right)]);
    if (!resolved) {
      throw this.unsupported(`operator ${describe(node)}`, node);
    }
    return CallNode.create(resolved.key, [left, right], type === 'dynamic' ? this.irScalarType(left) : type);
  }

  private termOperator(node: KNode, kind: string, ctx: ScalarContext): ScalarNode {
    const op = TERM_OPERATORS[kind];
    const left = this.stringOf(this.scalar(requiredChild(node, 'Left'), ctx));
    const rightNode = requiredChild(node, 'Right');
    if (!(rightNode.IsConstant && typeof rightNode.ConstantValue === 'string')) {
      // A term known only at run time (a query parameter, a column): the pattern is built in SQL.
      const term = this.stringOf(this.scalar(rightNode, ctx));
      const key = `term_${op.match}${op.cs ? '_cs' : ''}`;
      const match = CallNode.create(key, [left, term], 'bool');
      return op.negated ? CallNode.create('not', [match], 'bool') : match;
    }
    const pattern = LiteralNode.create(termPattern(rightNode.ConstantValue, op.match, op.cs), 'string');
    return CallNode.create(op.negated ? 'regex_not_match' : 'regex_match', [left, pattern], 'bool');
  }

  private hasAnyAll(node: KNode, kind: string, ctx: ScalarContext): ScalarNode {
    const left = this.stringOf(this.scalar(requiredChild(node, 'Left'), ctx));
    const terms = listElements(child(requiredChild(node, 'Right'), 'Expressions'));
    const parts = terms.map((t) => {
      if (!(t.IsConstant && typeof t.ConstantValue === 'string')) {
        throw this.unsupported(`${describe(node)} with non-constant terms`, t);
      }
      return CallNode.create(
        'regex_match',
        [left, LiteralNode.create(termPattern(t.ConstantValue, 'has', false), 'string')],
        'bool',
      );
    });
    if (parts.length === 0) {
      return LiteralNode.create(false, 'bool');
    }
    const combine = kind === 'HasAnyExpression' ? 'OrExpression' : 'AndExpression';
    return parts.reduce((acc, p) => CallNode.create(combine, [acc, p], 'bool'));
  }

  private inExpression(node: KNode, kind: string, ctx: ScalarContext): ScalarNode {
    let left = this.scalar(requiredChild(node, 'Left'), ctx);
    const right = requiredChild(node, 'Right');
    const caseInsensitive = kind === 'InCsExpression' || kind === 'NotInCsExpression';
    const negated = kind.startsWith('Not');
    const elements = listElements(child(right, 'Expressions'));
    if (elements.length === 1 && elements[0].ResultType?.Columns) {
      const relation = this.tabular(elements[0]);
      return InSubqueryNode.create(
        this.stringIfCi(left, caseInsensitive),
        relation,
        negated,
        caseInsensitive && this.irScalarType(left) === 'string',
        'bool',
      );
    }
    let values = elements.map((e) => this.scalar(e, ctx));
    // `x in (dynamic([1,2]))` lists the array's elements.
    if (
      values.length === 1 &&
      values[0].kind === 'Literal' &&
      values[0].type === 'dynamic' &&
      typeof values[0].value === 'string'
    ) {
      const parsed = JSON.parse(values[0].value) as unknown;
      if (Array.isArray(parsed)) {
        values = parsed.map((v) => this.jsonLiteral(v));
      }
    }
    // Any other dynamic value (a query parameter, `pack_array(…)`, a column) is a set whose elements are tested.
    const sets = values.filter((v) => this.irScalarType(v) === 'dynamic');
    values = values.filter((v) => this.irScalarType(v) !== 'dynamic');
    const lt = this.irScalarType(left);
    if (lt === 'dynamic') {
      left = this.convert(left, values.length > 0 ? this.irScalarType(values[0]) : 'string');
    }
    const target = this.irScalarType(left);
    values = values.map((v) => this.coerce(v, target));
    const lowered = caseInsensitive && target === 'string';
    const operand = lowered ? CallNode.create('tolower', [left], 'string') : left;
    const parts: ScalarNode[] = [];
    if (values.length > 0) {
      const listed = lowered ? values.map((v) => CallNode.create('tolower', [v], 'string')) : values;
      parts.push(CallNode.create(kind, [operand, ...listed], 'bool'));
    }
    for (const set of sets) {
      // A constant set (literal or query parameter) becomes a hashed `IN (SELECT …)`; a per-row one a list test.
      const shape = set.kind === 'Literal' ? 'in_dynamic_set' : 'in_dynamic_list';
      const member = CallNode.create(`${shape}/${lowered ? 'lower' : target}`, [operand, set], 'bool');
      parts.push(negated ? CallNode.create('not', [member], 'bool') : member);
    }
    if (parts.length === 0) {
      return LiteralNode.create(negated, 'bool');
    }
    const combine = negated ? 'AndExpression' : 'OrExpression';
    return parts.reduce((acc, p) => CallNode.create(combine, [acc, p], 'bool'));
  }

  private stringIfCi(node: ScalarNode, ci: boolean): ScalarNode {
    return ci && this.irScalarType(node) === 'string' ? node : node;
  }

  private jsonLiteral(v: unknown): ScalarNode {
    if (typeof v === 'string') {
      return LiteralNode.create(v, 'string');
    }
    if (typeof v === 'boolean') {
      return LiteralNode.create(v, 'bool');
    }
    if (typeof v === 'number') {
      return Number.isInteger(v) ? LiteralNode.create(BigInt(v), 'long') : LiteralNode.create(v, 'real');
    }
    return LiteralNode.create(v === null ? null : JSON.stringify(v), 'dynamic');
  }

  private dynamicAccess(node: KNode, ctx: ScalarContext): ScalarNode {
    // Collect the whole chain `d.a['b'][0]` into one JSON path, bound as a parameter.
    const steps: string[] = [];
    let current = node;
    for (;;) {
      const k = syntaxKind(current);
      if (k === 'PathExpression') {
        steps.unshift(`.${JSON.stringify(nameText(requiredChild(current, 'Selector')))}`);
        current = requiredChild(current, 'Expression');
      } else if (k === 'ElementExpression') {
        const selector = requiredChild(requiredChild(current, 'Selector'), 'Expression');
        const v = selector.ConstantValue;
        const literalIndex = /^-?\d+$/.test(selector.toString().trim())
          ? Number(selector.toString().trim())
          : undefined;
        if (typeof v === 'string') {
          steps.unshift(`.${JSON.stringify(v)}`);
        } else if (literalIndex !== undefined) {
          steps.unshift(literalIndex >= 0 ? `[${literalIndex}]` : `[#${literalIndex}]`);
        } else {
          throw this.unsupported('dynamic element access with a non-constant index', selector);
        }
        current = requiredChild(current, 'Expression');
      } else {
        break;
      }
    }
    const base = this.scalar(current, ctx);
    if (this.irScalarType(base) !== 'dynamic') {
      throw this.unsupported(`member access on ${this.irScalarType(base)}`, node);
    }
    return CallNode.create(
      'json_path',
      [base, LiteralNode.create(`$${steps.join('')}`, 'string')],
      'dynamic',
    );
  }

  private functionCall(node: KNode, ctx: ScalarContext): ScalarNode {
    const nameNode = child(node, 'Name') ?? node;
    const name = nameText(nameNode);
    const argNodes = this.callArguments(node);
    const type = kustoType(node.ResultType);
    const binding = this.lookup(name);
    if (binding?.kind === 'lambda' || (node.GetExpansion() && !isBuiltin(node))) {
      return this.expandScalarFunction(node, argNodes, ctx);
    }
    switch (name) {
      case 'now':
        return this.nowLiteral(argNodes, ctx);
      case 'ago': {
        const offset = this.scalar(argNodes[0], ctx);
        return CallNode.create(
          'SubtractExpression',
          [LiteralNode.create({ slot: 'now' }, 'datetime'), offset],
          'datetime',
        );
      }
      case 'iff':
      case 'iif': {
        const [c, a, b] = argNodes.map((n) => this.scalar(n, ctx));
        return CaseNode.create(
          [{ when: this.asBool(c), then: this.coerce(a, type) }],
          this.coerce(b, type),
          type,
        );
      }
      case 'case': {
        const args = argNodes.map((n) => this.scalar(n, ctx));
        const whens = [];
        for (let i = 0; i + 1 < args.length; i += 2) {
          whens.push({ when: this.asBool(args[i]), then: this.coerce(args[i + 1], type) });
        }
        return CaseNode.create(whens, this.coerce(args[args.length - 1], type), type);
      }
      case 'strcat':
        return CallNode.create(
          'strcat',
          argNodes.map((n) => this.stringOf(this.scalar(n, ctx))),
          'string',
        );
      case 'strcat_delim':
        return CallNode.create(
          'strcat_delim',
          argNodes.map((n) => this.stringOf(this.scalar(n, ctx))),
          'string',
        );
      case 'not':
        return CallNode.create('not', [this.asBool(this.scalar(argNodes[0], ctx))], 'bool');
      case 'row_number': {
        let partitionBy: ScalarNode[] = [];
        if (argNodes.length > 1) {
          if (!ctx.prepare) {
            throw this.unsupported('row_number() with a restart condition outside extend', argNodes[1]);
          }
          // Restart groups: a running count of restart rows, computed a level below the numbering.
          const restart = ctx.prepare(this.asBool(this.scalar(argNodes[1], ctx)));
          const flag = CaseNode.create(
            [{ when: restart, then: LiteralNode.create(1n, 'long') }],
            LiteralNode.create(0n, 'long'),
            'long',
          );
          partitionBy = [ctx.prepare(WindowNode.create('row_cumsum', [flag], ctx.order ?? [], 'long'))];
        }
        const rn = WindowNode.create('row_number', [], ctx.order ?? [], 'long', partitionBy);
        if (argNodes.length === 0) {
          return rn;
        }
        const start = this.coerce(this.scalar(argNodes[0], ctx), 'long');
        return CallNode.create(
          'AddExpression',
          [CallNode.create('SubtractExpression', [rn, LiteralNode.create(1n, 'long')], 'long'), start],
          'long',
        );
      }
      case 'extract': {
        const args = argNodes.slice(0, 3).map((n) => this.scalar(n, ctx));
        const text = CallNode.create('extract', args, 'string');
        const typeArg = argNodes[3];
        if (!typeArg) {
          return text;
        }
        return this.convert(CallNode.create('nullif_empty', [text], 'string'), type);
      }
      case 'coalesce': {
        // Kusto's coalesce skips empty strings as well as nulls.
        const args = argNodes.map((n) => this.coerce(this.scalar(n, ctx), type));
        if (type === 'string') {
          return CallNode.create(
            'coalesce',
            [
              ...args.map((a) => CallNode.create('nullif_empty', [a], 'string')),
              LiteralNode.create('', 'string'),
            ],
            'string',
          );
        }
        return CallNode.create('coalesce', args, type);
      }
      case 'prev':
      case 'next': {
        const args = argNodes.map((n) => this.scalar(n, ctx));
        const col = args[0];
        const offset = args[1] ?? LiteralNode.create(1n, 'long');
        const rest = args[2] ? [this.coerce(args[2], this.irScalarType(col))] : [];
        return WindowNode.create(name, [col, offset, ...rest], ctx.order ?? [], type);
      }
      case 'row_cumsum':
        if (argNodes.length > 1) {
          throw this.unsupported('row_cumsum() with a restart condition', argNodes[1]);
        }
        return WindowNode.create('row_cumsum', [this.scalar(argNodes[0], ctx)], ctx.order ?? [], type);
      case 'format_datetime': {
        const fmt = argNodes[1];
        if (!(fmt.IsConstant && typeof fmt.ConstantValue === 'string')) {
          throw this.unsupported('format_datetime with a non-constant format', fmt);
        }
        return CallNode.create(
          'format_datetime',
          [this.scalar(argNodes[0], ctx), LiteralNode.create(strftimeFormat(fmt.ConstantValue), 'string')],
          'string',
        );
      }
      case 'pack':
      case 'bag_pack':
      case 'pack_dictionary':
        return this.bagPack(argNodes, ctx);
      case 'bag_pack_columns':
        return this.bagPackColumns(argNodes, ctx);
      case 'pack_array':
        return CallNode.create(
          'pack_array',
          argNodes.map((n) => this.dynamicOf(this.scalar(n, ctx))),
          'dynamic',
        );
      case 'tostring':
        return this.stringOf(this.scalar(argNodes[0], ctx));
      case 'series_fit_line':
      case 'series_stats':
      case 'series_decompose':
        return this.multiValueCall(node, ctx)[0];
      case 'series_decompose_forecast':
        return this.multiValueCall(node, ctx)[0];
      case 'series_fill_linear': {
        const args = argNodes.map((n) => this.scalar(n, ctx));
        const placeholder = args[1];
        if (placeholder && !(placeholder.kind === 'Literal' && placeholder.value === null)) {
          throw this.unsupported(
            'series_fill_linear with a missing-value placeholder other than null',
            argNodes[1],
          );
        }
        const fillEdges = args[2] ? this.coerce(args[2], 'bool') : LiteralNode.create(true, 'bool');
        const constant = args[3] ? this.coerce(args[3], 'real') : LiteralNode.create(0, 'real');
        return CallNode.create('series_fill_linear', [args[0], fillEdges, constant], 'dynamic');
      }
      case 'series_fill_forward':
      case 'series_fill_backward': {
        if (argNodes.length > 1) {
          throw this.unsupported(`${name}() with a missing-value placeholder`, argNodes[1]);
        }
        return CallNode.create(name, [this.scalar(argNodes[0], ctx)], 'dynamic');
      }
      case 'materialize':
        return this.scalar(argNodes[0], ctx);
      default:
        break;
    }
    if (ctx.collect && this.isAggregateCall(node)) {
      return ctx.collect(this.aggregate(node));
    }
    const args = argNodes.map((n) => this.scalar(n, ctx));
    const resolved = resolveFunction(
      name,
      args.map((a) => this.irScalarType(a)),
    );
    if (!resolved || resolved.mapping.aggregate) {
      throw this.unsupported(`function ${name}()`, node);
    }
    if (!acceptsArgumentCount(resolved.mapping, args.length)) {
      throw this.unsupported(`function ${name}() with ${args.length} arguments`, node);
    }
    return CallNode.create(resolved.key, args, type);
  }

  /** Functions that return several values (series_fit_line…): one IR expression per value, in order. */
  private multiValueCall(node: KNode, ctx: ScalarContext): ScalarNode[] {
    const name = nameText(child(node, 'Name') ?? node);
    const argNodes = this.callArguments(node);
    const args = argNodes.map((n) => this.scalar(n, ctx));
    const series = args[0];
    const field = (macro: string, key: string, type: IrType): ScalarNode =>
      CallNode.create(
        'struct_key',
        [CallNode.create(macro, [series], 'struct'), LiteralNode.create(key, 'string')],
        type,
      );
    switch (name) {
      case 'series_fit_line':
        return [
          field('kql_fit_line', 'rsquare', 'real'),
          field('kql_fit_line', 'slope', 'real'),
          field('kql_fit_line', 'variance', 'real'),
          field('kql_fit_line', 'rvariance', 'real'),
          field('kql_fit_line', 'interception', 'real'),
          field('kql_fit_line', 'line_fit', 'dynamic'),
        ];
      case 'series_stats':
        return [
          field('kql_stats', 'min', 'real'),
          field('kql_stats', 'min_idx', 'long'),
          field('kql_stats', 'max', 'real'),
          field('kql_stats', 'max_idx', 'long'),
          field('kql_stats', 'avg', 'real'),
          field('kql_stats', 'stdev', 'real'),
          field('kql_stats', 'variance', 'real'),
        ];
      case 'series_decompose_forecast': {
        // The trailing `points` are left out of learning and the baseline extends over them.
        const points = this.coerce(args[1], 'long');
        const seasonality = args[2] ? this.coerce(args[2], 'long') : LiteralNode.create(-1n, 'long');
        const trend = args[3] ?? LiteralNode.create('linefit', 'string');
        this.refuseThreshold(argNodes[4]);
        const part = (key: string): ScalarNode =>
          CallNode.create(
            'series_decompose_part',
            [series, seasonality, trend, points, LiteralNode.create(key, 'string')],
            'dynamic',
          );
        return [part('baseline'), part('seasonal'), part('trend'), part('residual')];
      }
      case 'series_decompose': {
        const seasonality = args[1] ? this.coerce(args[1], 'long') : LiteralNode.create(-1n, 'long');
        const trend = args[2] ?? LiteralNode.create('avg', 'string');
        const test = args[3] ? this.coerce(args[3], 'long') : LiteralNode.create(0n, 'long');
        this.refuseThreshold(argNodes[4]);
        const part = (key: string): ScalarNode =>
          CallNode.create(
            'series_decompose_part',
            [series, seasonality, trend, test, LiteralNode.create(key, 'string')],
            'dynamic',
          );
        return [part('baseline'), part('seasonal'), part('trend'), part('residual')];
      }
      default:
        throw this.unsupported(`function ${name}()`, node);
    }
  }

  /** A seasonality threshold only matters to auto-detection; anything but the default is refused. */
  private refuseThreshold(node: KNode | undefined): void {
    if (node && !(typeof node.ConstantValue === 'number' && node.ConstantValue === 0.6)) {
      throw this.unsupported('a seasonality threshold other than the default 0.6', node);
    }
  }

  private expandScalarFunction(node: KNode, argNodes: KNode[], ctx: ScalarContext): ScalarNode {
    const expansion = node.GetExpansion();
    if (!expansion) {
      throw this.unsupported(`function ${nameText(node)}`, node);
    }
    const frame = this.argumentFrame(node, argNodes);
    this.scopes.push(frame);
    try {
      for (const statement of listElements(child(expansion, 'Statements'))) {
        this.statement(statement);
      }
      return this.scalar(requiredChild(expansion, 'Expression'), ctx);
    } finally {
      this.scopes.pop();
    }
  }

  private nowLiteral(argNodes: KNode[], ctx: ScalarContext): ScalarNode {
    const now = LiteralNode.create({ slot: 'now' }, 'datetime');
    if (argNodes.length === 0) {
      return now;
    }
    return CallNode.create('AddExpression', [now, this.scalar(argNodes[0], ctx)], 'datetime');
  }

  private bagPack(argNodes: KNode[], ctx: ScalarContext): ScalarNode {
    const pairs: ScalarNode[] = [];
    for (let i = 0; i + 1 < argNodes.length; i += 2) {
      pairs.push(
        this.stringOf(this.scalar(argNodes[i], ctx)),
        this.dynamicOf(this.scalar(argNodes[i + 1], ctx)),
      );
    }
    return CallNode.create('json_object', pairs, 'dynamic');
  }

  /** `bag_pack_columns(A, B)`: a bag keyed by the columns' own names. */
  private bagPackColumns(argNodes: KNode[], ctx: ScalarContext): ScalarNode {
    const pairs: ScalarNode[] = [];
    for (const arg of argNodes) {
      if (syntaxKind(arg) !== 'NameReference') {
        throw this.unsupported(`bag_pack_columns() argument ${describe(arg)} (only column names)`, arg);
      }
      pairs.push(LiteralNode.create(nameText(arg), 'string'), this.dynamicOf(this.scalar(arg, ctx)));
    }
    return CallNode.create('json_object', pairs, 'dynamic');
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private callArguments(node: KNode): KNode[] {
    const list = child(node, 'ArgumentList');
    return list ? listElements(child(list, 'Expressions')) : [];
  }

  private namedParameter(op: KNode, name: string): string | undefined {
    for (const p of listElements(child(op, 'Parameters'))) {
      if (syntaxKind(p) === 'NamedParameter' && nameText(requiredChild(p, 'Name')).toLowerCase() === name) {
        const value = requiredChild(p, 'Expression');
        return nameText(value) || value.toString().trim();
      }
    }
    return undefined;
  }

  irScalarType(node: ScalarNode): IrType {
    return node.type;
  }

  private asBool(node: ScalarNode): ScalarNode {
    return node.type === 'bool' ? node : this.convert(node, 'bool');
  }

  /** Reads a value as `type` (Kusto's implicit widening int→long→real, and dynamic → typed). */
  private coerce(node: ScalarNode, type: IrType): ScalarNode {
    if (node.type === type || type === 'struct') {
      return node;
    }
    if (node.kind === 'Literal' && node.value === null) {
      return LiteralNode.create(null, type);
    }
    if (type === 'dynamic') {
      return this.dynamicOf(node);
    }
    return this.convert(node, type);
  }

  private convert(node: ScalarNode, type: IrType): ScalarNode {
    if (node.type === type) {
      return node;
    }
    if (node.type === 'dynamic') {
      return CallNode.create(`from_dynamic/${type}`, [node], type);
    }
    if (type === 'string') {
      return this.stringOf(node);
    }
    if (type === 'dynamic') {
      return this.dynamicOf(node);
    }
    return CastNodeFor(node, type);
  }

  private stringOf(node: ScalarNode): ScalarNode {
    if (node.type === 'string') {
      return node;
    }
    const resolved = resolveFunction('tostring', [node.type]);
    return CallNode.create(resolved?.key ?? 'tostring', [node], 'string');
  }

  private dynamicOf(node: ScalarNode): ScalarNode {
    if (node.type === 'dynamic') {
      return node;
    }
    if (node.kind === 'Literal' && node.value === null) {
      return LiteralNode.create(null, 'dynamic');
    }
    return CallNode.create(`to_dynamic/${node.type}`, [node], 'dynamic');
  }

  private bind(name: string, binding: Binding): void {
    this.scopes[this.scopes.length - 1].set(name, binding);
  }

  /** Whether `name` resolves to a binding made outside the toscalar() being lowered. */
  private isOutsideToscalar(name: string): boolean {
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

  private lookup(name: string): Binding | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const b = this.scopes[i].get(name);
      if (b) {
        return b;
      }
    }
    return undefined;
  }

  position(node: KNode): SourcePosition {
    return positionAt(this.input.text, node.TextStart);
  }

  private unsupported(what: string, node: KNode): KqlCompileError {
    return KqlCompileError.unsupported(what, this.position(node));
  }
}

interface KParameter {
  Name: string;
  DefaultValue: KNode | null;
}

interface KSignature {
  Parameters: { Count: number; getItem(i: number): KParameter };
}

function listOf<T>(list: { Count: number; getItem(i: number): T } | null | undefined): T[] {
  const out: T[] = [];
  if (list) {
    for (let i = 0; i < list.Count; i++) {
      out.push(list.getItem(i));
    }
  }
  return out;
}

function listOfColumns(type: KType | null): { name: string; type: string }[] {
  return columnsOf(type);
}

function containsWindow(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) {
    return false;
  }
  if ((node as { kind?: unknown }).kind === 'Window') {
    return true;
  }
  if (
    (node as { kind?: unknown }).kind === 'ScalarSubquery' ||
    (node as { kind?: unknown }).kind === 'InSubquery'
  ) {
    return false;
  }
  return Object.values(node).some((v) => (Array.isArray(v) ? v.some(containsWindow) : containsWindow(v)));
}

/** `name = expr` → `expr`; anything else unchanged. */
function unnamed(node: KNode): KNode {
  return syntaxKind(node) === 'SimpleNamedExpression' ? requiredChild(node, 'Expression') : node;
}

function describe(node: KNode): string {
  const text = node.toString().trim().split('\n')[0];
  const kind = syntaxKind(node);
  const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return `${short} (${kind})`;
}

function isBuiltin(node: KNode): boolean {
  const symbol = node.ReferencedSymbol as unknown as { IsBuiltIn?: boolean } | null;
  return symbol?.IsBuiltIn === true;
}

function CastNodeFor(node: ScalarNode, type: IrType): ScalarNode {
  const key = `to${type === 'real' ? 'real' : type === 'bool' ? 'bool' : type === 'datetime' ? 'datetime' : type === 'timespan' ? 'timespan' : type === 'guid' ? 'guid' : type === 'decimal' ? 'decimal' : type === 'int' ? 'int' : 'long'}`;
  const resolved = resolveFunction(key, [node.type]);
  return CallNode.create(resolved?.key ?? key, [node], type);
}

export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column };
}

export type { LiteralValue };

/**
 * Whether a scalar's value depends on the current row: it reads a column. Subqueries are self-contained (their
 * columns are their own relation's), so the walk does not enter them.
 */
function dependsOnRow(node: unknown): boolean {
  if (Array.isArray(node)) {
    return node.some(dependsOnRow);
  }
  if (typeof node !== 'object' || node === null) {
    return false;
  }
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'Column') {
    return true;
  }
  if (kind === 'ScalarSubquery' || kind === 'InSubquery') {
    return false;
  }
  return Object.values(node).some(dependsOnRow);
}
