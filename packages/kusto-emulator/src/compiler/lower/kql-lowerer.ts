/**
 * Lower stage: the analyzed Kusto syntax tree → relational IR. Kusto.Language has already resolved every
 * name and computed every type and result schema (including `summarize` column names such as `count_` and
 * `avg_x`), so this stage reads those facts instead of re-deriving them; it only decides how each operator
 * and function is expressed relationally. Anything it does not know raises UNSUPPORTED with the operator or
 * function name and position — never a guess.
 *
 * The parts, one concern each: statement-lowerer (statements), tabular-source-lowerer (a pipe's source),
 * operators/operator-table (tabular operators by syntax kind), scalar-lowerer (expressions),
 * function-call-lowerer (calls), scalar-coercion (types). They share a LoweringContext.
 */
import type { ExternalSource } from '../compiler-types.js';
import type { RelationNode } from '../ir/ir-node.js';
import { LoweringContext, type LoweringInput } from './lowering-context.js';
import { lowerScalar } from './scalar-lowerer.js';
import { lowerStatement, lowerStatements } from './statement-lowerer.js';
import { lowerTabular } from './tabular-source-lowerer.js';

export type { LoweringInput } from './lowering-context.js';

export class KqlLowerer {
  private readonly context: LoweringContext;

  constructor(input: LoweringInput) {
    this.context = new LoweringContext(input, {
      statement: lowerStatement,
      tabular: lowerTabular,
      scalar: lowerScalar,
    });
  }

  /** One relation per result-producing statement, in order. */
  lowerQuery(): RelationNode[] {
    return lowerStatements(this.context);
  }

  /** `external_table()` and `externaldata` sources met so far, for the engine to prepare before it runs the SQL. */
  get externalSources(): readonly ExternalSource[] {
    return this.context.external.sources;
  }
}
