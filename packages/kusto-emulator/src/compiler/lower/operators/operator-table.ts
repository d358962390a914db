/**
 * Tabular operators by syntax kind. An operator missing from the table is refused with its name and
 * position; adding one is a new entry here and a module of its own.
 */
import type { RelationNode } from '../../ir/ir-node.js';
import { type KNode, syntaxKind } from '../../parse/kusto-syntax.js';
import type { LoweringContext } from '../lowering-context.js';
import { schemaOf } from '../result-schema.js';
import { describe } from '../syntax-reading.js';
import { lowerExtend } from './extend-operator.js';
import { lowerFilter, lowerSample, lowerTake } from './filter-operators.js';
import { lowerGetSchema } from './get-schema-operator.js';
import { lowerJoin, lowerLookup } from './join-operators.js';
import { lowerMakeSeries } from './make-series-operator.js';
import { lowerMvExpand } from './mv-expand-operator.js';
import type { OperatorLowerer } from './operator-lowerer.js';
import { lowerInvoke } from './invoke-operator.js';
import { lowerParse, lowerParseWhere } from './parse-operator.js';
import { lowerProject, lowerProjectRename, lowerSelectColumns } from './project-operators.js';
import { lowerSort, lowerTop } from './sort-operators.js';
import { lowerCount, lowerDistinct, lowerSummarize } from './summarize-operators.js';
import { lowerUnion } from './union-operator.js';

const OPERATORS: Readonly<Record<string, OperatorLowerer>> = {
  FilterOperator: lowerFilter,
  TakeOperator: lowerTake,
  SampleOperator: lowerSample,
  ExtendOperator: lowerExtend,
  SerializeOperator: lowerExtend,
  ProjectOperator: lowerProject,
  ProjectRenameOperator: lowerProjectRename,
  // Operators that only reshuffle, drop or keep columns: the output is Kusto's result schema, by name.
  ProjectAwayOperator: lowerSelectColumns,
  ProjectKeepOperator: lowerSelectColumns,
  ProjectReorderOperator: lowerSelectColumns,
  AsOperator: lowerSelectColumns,
  RenderOperator: lowerSelectColumns,
  SummarizeOperator: lowerSummarize,
  CountOperator: lowerCount,
  DistinctOperator: lowerDistinct,
  SortOperator: lowerSort,
  TopOperator: lowerTop,
  JoinOperator: lowerJoin,
  LookupOperator: lowerLookup,
  UnionOperator: (lc, input, op) => lowerUnion(lc, input, op),
  MvExpandOperator: lowerMvExpand,
  MakeSeriesOperator: lowerMakeSeries,
  ParseOperator: lowerParse,
  ParseWhereOperator: lowerParseWhere,
  InvokeOperator: lowerInvoke,
  GetSchemaOperator: lowerGetSchema,
};

/** Query operators lowered outside this table: tabular sources (tabular-source-lowerer.ts) and fork (statement-lowerer.ts). */
const LOWERED_ELSEWHERE: ReadonlySet<string> = new Set(['PrintOperator', 'RangeOperator', 'ForkOperator']);

function inTable(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(OPERATORS, kind);
}

/**
 * Whether the engine lowers query operators of this syntax kind at all (it refuses `EvaluateOperator`,
 * `MakeGraphOperator`…); one it lowers may still refuse some of its forms (`join kind=…`).
 */
export function lowersOperator(kind: string): boolean {
  return inTable(kind) || LOWERED_ELSEWHERE.has(kind);
}

export function lowerOperator(lc: LoweringContext, input: RelationNode, op: KNode): RelationNode {
  const kind = syntaxKind(op);
  const lower = inTable(kind) ? OPERATORS[kind] : undefined;
  if (!lower) {
    throw lc.unsupported(`operator '${describe(op)}'`, op);
  }
  return lower(lc, input, op, schemaOf(op.ResultType), { order: lc.orderOf(input) });
}
