import type {
  ColumnSchema,
  IrType,
  NamedScalar,
  RelationNode,
  ScalarNode,
  SeriesAggregate,
} from './ir-node.js';

/** `make-series`: one row per group with a value array per aggregate and the axis array. */
export interface MakeSeriesNode {
  readonly kind: 'MakeSeries';
  readonly input: RelationNode;
  readonly axis: ScalarNode;
  readonly start: ScalarNode;
  readonly stop: ScalarNode;
  readonly step: ScalarNode;
  readonly axisType: IrType;
  readonly groupBy: readonly NamedScalar[];
  readonly series: readonly SeriesAggregate[];
  readonly axisName: string;
  /** `kind=nonempty`: an empty input still yields one row of default values (only without `by`). */
  readonly nonEmpty: boolean;
  readonly columns: readonly ColumnSchema[];
}

export const MakeSeriesNode = {
  is(node: { kind: string }): node is MakeSeriesNode {
    return node.kind === 'MakeSeries';
  },
  create(
    input: RelationNode,
    axis: ScalarNode,
    start: ScalarNode,
    stop: ScalarNode,
    step: ScalarNode,
    axisType: IrType,
    groupBy: readonly NamedScalar[],
    series: readonly SeriesAggregate[],
    axisName: string,
    nonEmpty: boolean,
    columns: readonly ColumnSchema[],
  ): MakeSeriesNode {
    return Object.freeze({
      kind: 'MakeSeries',
      input,
      axis,
      start,
      stop,
      step,
      axisType,
      groupBy,
      series,
      axisName,
      nonEmpty,
      columns,
    });
  },
};
