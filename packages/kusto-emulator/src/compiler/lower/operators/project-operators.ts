/** `project`, `project-rename`, and the operators that only select columns (`project-away`, `as`…). */
import { ColumnNode } from '../../ir/column-node.js';
import type { NamedScalar, ScalarNode } from '../../ir/ir-node.js';
import { ProjectNode } from '../../ir/project-node.js';
import { child, listElements, nameText, requiredChild, syntaxKind } from '../../parse/kusto-syntax.js';
import { compoundAssignment, multiValueCall } from '../multi-value-call-lowerer.js';
import { isForecastCall } from '../result-schema.js';
import { coerce } from '../scalar-coercion.js';
import { unnamed } from '../syntax-reading.js';
import type { OperatorLowerer } from './operator-lowerer.js';

export const lowerProject: OperatorLowerer = (lc, input, op, columns, scope) => {
  const defined = new Map<string, ScalarNode>();
  const outputs: NamedScalar[] = [];
  let position = 0;
  for (const e of listElements(child(op, 'Expressions'))) {
    if (syntaxKind(e) === 'CompoundNamedExpression') {
      const before = new Map(defined);
      compoundAssignment(lc, e, defined, { ...scope, overrides: before });
      for (const [name, value] of defined) {
        if (!before.has(name)) {
          outputs.push({ name, expr: value });
          position++;
        }
      }
      continue;
    }
    if (syntaxKind(unnamed(e)) === 'FunctionCallExpression' && unnamed(e).ResultType?.Columns) {
      const parts = multiValueCall(lc, unnamed(e), { ...scope, overrides: defined });
      const values = isForecastCall(unnamed(e)) ? parts.slice(0, 1) : parts;
      values.forEach((_, i) => {
        const column = columns[position];
        outputs.push({ name: column.name, expr: coerce(parts[i], column.type) });
        defined.set(column.name, parts[i]);
        position++;
      });
      continue;
    }
    const column = columns[position];
    if (!column) {
      throw lc.unsupported('project expression expanding to several columns', e);
    }
    const value = coerce(lc.scalar(unnamed(e), { ...scope, overrides: defined }), column.type);
    defined.set(column.name, value);
    outputs.push({ name: column.name, expr: value });
    position++;
  }
  return lc.keepOrder(input, ProjectNode.create(input, outputs, columns));
};

export const lowerProjectRename: OperatorLowerer = (lc, input, op, columns) => {
  const renames = new Map<string, string>();
  for (const e of listElements(child(op, 'Expressions'))) {
    if (syntaxKind(e) === 'SimpleNamedExpression') {
      renames.set(nameText(requiredChild(e, 'Name')), nameText(requiredChild(e, 'Expression')));
    }
  }
  const projected = ProjectNode.create(
    input,
    columns.map((c) => ({ name: c.name, expr: ColumnNode.create(renames.get(c.name) ?? c.name, c.type) })),
    columns,
  );
  return lc.keepOrder(input, projected);
};

/** The output is Kusto's result schema, each column read by name from the input. */
export const lowerSelectColumns: OperatorLowerer = (lc, input, _op, columns) =>
  lc.keepOrder(
    input,
    ProjectNode.create(
      input,
      columns.map((c) => ({ name: c.name, expr: ColumnNode.create(c.name, c.type) })),
      columns,
    ),
  );
