/**
 * Literals → IR literal values. Each form is read from its own text (`0x10`, `1.5e3`, `datetime(…)`,
 * `dynamic({…})`); a form the reader does not know is refused rather than guessed.
 */
import type { KustoScalarType } from '../compiler-types.js';
import { KqlCompileError } from '../kql-compile-error.js';
import type { LiteralValue, ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { type KNode, ownText, syntaxKind } from '../parse/kusto-syntax.js';
import { literalValue, parseDatetimeLiteral, parseTimespanLiteral } from './literal-values.js';
import type { LoweringContext } from './lowering-context.js';
import { kustoType } from './result-schema.js';

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

export function lowerLiteral(lc: LoweringContext, node: KNode): ScalarNode {
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
      // Kusto.Language's ConstantValue reads a literal past the type's range (or `int(+0x10)`) as 0: refuse.
      return LiteralNode.create(readOrRefuse(lc, node, literalValue(type, text)), type);
    }
    case 'RealLiteralExpression': {
      return LiteralNode.create(readOrRefuse(lc, node, literalValue('real', text)), 'real');
    }
    case 'DecimalLiteralExpression':
      return LiteralNode.create(readOrRefuse(lc, node, literalValue('decimal', text)), 'decimal');
    case 'DateTimeLiteralExpression': {
      const v = parseDatetimeLiteral(text);
      if (v === undefined) {
        throw new KqlCompileError('SYNTAX', `invalid datetime literal ${text}`, lc.position(node));
      }
      return LiteralNode.create(v, 'datetime');
    }
    case 'TimespanLiteralExpression': {
      const v = parseTimespanLiteral(text);
      if (v === undefined) {
        throw new KqlCompileError('SYNTAX', `invalid timespan literal ${text}`, lc.position(node));
      }
      return LiteralNode.create(v, 'timespan');
    }
    case 'GuidLiteralExpression': {
      const v = literalValue('guid', text);
      if (v === undefined) {
        throw new KqlCompileError('SYNTAX', `invalid guid literal ${text}`, lc.position(node));
      }
      return LiteralNode.create(v, 'guid');
    }
    case 'DynamicExpression': {
      const v = literalValue('dynamic', text);
      if (v === undefined) {
        throw lc.unsupported(`dynamic literal ${text} (only JSON content)`, node);
      }
      return LiteralNode.create(v, 'dynamic');
    }
    default:
      throw lc.unsupported(`literal ${text}`, node);
  }
}

/** A literal's value as read from its text; a form the reader does not know (`1e400`…) is refused. */
function readOrRefuse(lc: LoweringContext, node: KNode, value: LiteralValue | undefined): LiteralValue {
  if (value === undefined) {
    throw lc.unsupported(`literal ${ownText(node)}`, node);
  }
  return value;
}
