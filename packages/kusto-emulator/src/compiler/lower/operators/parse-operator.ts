/** `parse`: a pattern of constants, `*` and typed names → one regex; each name is a capture group. */
import type { KustoScalarType } from '../../compiler-types.js';
import { CallNode } from '../../ir/call-node.js';
import { CaseNode } from '../../ir/case-node.js';
import { ColumnNode } from '../../ir/column-node.js';
import type { ScalarNode } from '../../ir/ir-node.js';
import { LiteralNode } from '../../ir/literal-node.js';
import { OrdinalNode } from '../../ir/ordinal-node.js';
import { ProjectNode } from '../../ir/project-node.js';
import { child, listElements, nameText, requiredChild, syntaxKind } from '../../parse/kusto-syntax.js';
import { convert } from '../scalar-coercion.js';
import { describe } from '../syntax-reading.js';
import { escapeRegex } from '../term-pattern.js';
import type { OperatorLowerer } from './operator-lowerer.js';

/** What a typed `parse` column matches (Kusto reads numbers and booleans greedily, text lazily). */
const PARSE_CAPTURES: Partial<Record<KustoScalarType, string>> = {
  int: '(-?\\d+)',
  long: '(-?\\d+)',
  real: '(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)',
  decimal: '(-?\\d+(?:\\.\\d+)?)',
  bool: '(true|false|True|False|TRUE|FALSE|1|0)',
  guid: '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})',
};

export const lowerParse: OperatorLowerer = (lc, input, op, columns) => {
  const source = lc.scalar(requiredChild(op, 'Expression'), {});
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
      throw lc.unsupported(`parse pattern element ${describe(p)}`, p);
    }
  });
  const pattern = LiteralNode.create(regex, 'string');
  const matched = CallNode.create('regex_match', [source, pattern], 'bool');
  const defined = new Map<string, ScalarNode>();
  captures.forEach((c, i) => {
    const text = CallNode.create('extract', [pattern, OrdinalNode.create(i + 1), source], 'string');
    const typed = c.type === 'string' ? text : convert(text, c.type);
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
};
