/**
 * Scalar function calls: user functions are expanded; built-ins with their own semantics (now, iff, case,
 * row_number, prev/next, pack…) are lowered here; aggregates inside summarize are collected; the rest map to
 * SQL through the function table (sql/function-map.ts).
 */
import { CallNode } from '../ir/call-node.js';
import { CaseNode } from '../ir/case-node.js';
import type { ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { child, type KNode, nameText, syntaxKind } from '../parse/kusto-syntax.js';
import { acceptsArgumentCount, resolveFunction } from '../sql/function-map.js';
import { isAggregateCall, lowerAggregate } from './aggregate-call-lowerer.js';
import { expandScalarFunction } from './function-expansion.js';
import type { LoweringContext, ScalarScope } from './lowering-context.js';
import { multiValueCall } from './multi-value-call-lowerer.js';
import { kustoType } from './result-schema.js';
import { asBool, coerce, convert, dynamicOf, stringOf } from './scalar-coercion.js';
import { callArguments, describe, isBuiltin } from './syntax-reading.js';
import { strftimeFormat } from './term-pattern.js';
import { lowerWindowCall, WINDOW_FUNCTIONS } from './window-call-lowerer.js';

export function lowerFunctionCall(lc: LoweringContext, node: KNode, scope: ScalarScope): ScalarNode {
  const nameNode = child(node, 'Name') ?? node;
  const name = nameText(nameNode);
  const argNodes = callArguments(node);
  const type = kustoType(node.ResultType);
  const binding = lc.lookup(name);
  if (binding?.kind === 'lambda' || (node.GetExpansion() && !isBuiltin(node))) {
    return expandScalarFunction(lc, node, argNodes, scope);
  }
  if (WINDOW_FUNCTIONS.has(name)) {
    return lowerWindowCall(lc, name, argNodes, scope, type);
  }
  switch (name) {
    case 'now':
      return nowLiteral(lc, argNodes, scope);
    case 'ago': {
      const offset = lc.scalar(argNodes[0], scope);
      return CallNode.create(
        'SubtractExpression',
        [LiteralNode.create({ slot: 'now' }, 'datetime'), offset],
        'datetime',
      );
    }
    case 'iff':
    case 'iif': {
      const [c, a, b] = argNodes.map((n) => lc.scalar(n, scope));
      return CaseNode.create([{ when: asBool(c), then: coerce(a, type) }], coerce(b, type), type);
    }
    case 'case': {
      const args = argNodes.map((n) => lc.scalar(n, scope));
      const whens = [];
      for (let i = 0; i + 1 < args.length; i += 2) {
        whens.push({ when: asBool(args[i]), then: coerce(args[i + 1], type) });
      }
      return CaseNode.create(whens, coerce(args[args.length - 1], type), type);
    }
    case 'strcat':
      return CallNode.create(
        'strcat',
        argNodes.map((n) => stringOf(lc.scalar(n, scope))),
        'string',
      );
    case 'strcat_delim':
      return CallNode.create(
        'strcat_delim',
        argNodes.map((n) => stringOf(lc.scalar(n, scope))),
        'string',
      );
    case 'not':
      return CallNode.create('not', [asBool(lc.scalar(argNodes[0], scope))], 'bool');
    case 'extract': {
      const args = argNodes.slice(0, 3).map((n) => lc.scalar(n, scope));
      const text = CallNode.create('extract', args, 'string');
      const typeArg = argNodes[3];
      if (!typeArg) {
        return text;
      }
      return convert(CallNode.create('nullif_empty', [text], 'string'), type);
    }
    case 'coalesce': {
      // Kusto's coalesce skips empty strings as well as nulls.
      const args = argNodes.map((n) => coerce(lc.scalar(n, scope), type));
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
    case 'format_datetime': {
      const fmt = argNodes[1];
      if (!(fmt.IsConstant && typeof fmt.ConstantValue === 'string')) {
        throw lc.unsupported('format_datetime with a non-constant format', fmt);
      }
      return CallNode.create(
        'format_datetime',
        [lc.scalar(argNodes[0], scope), LiteralNode.create(strftimeFormat(fmt.ConstantValue), 'string')],
        'string',
      );
    }
    case 'pack':
    case 'bag_pack':
    case 'pack_dictionary':
      return bagPack(lc, argNodes, scope);
    case 'bag_pack_columns':
      return bagPackColumns(lc, argNodes, scope);
    case 'pack_array':
      return CallNode.create(
        'pack_array',
        argNodes.map((n) => dynamicOf(lc.scalar(n, scope))),
        'dynamic',
      );
    case 'tostring':
      return stringOf(lc.scalar(argNodes[0], scope));
    case 'series_fit_line':
    case 'series_stats':
    case 'series_decompose':
      return multiValueCall(lc, node, scope)[0];
    case 'series_decompose_forecast':
      return multiValueCall(lc, node, scope)[0];
    case 'series_fill_linear': {
      const args = argNodes.map((n) => lc.scalar(n, scope));
      const placeholder = args[1];
      if (placeholder && !(placeholder.kind === 'Literal' && placeholder.value === null)) {
        throw lc.unsupported(
          'series_fill_linear with a missing-value placeholder other than null',
          argNodes[1],
        );
      }
      const fillEdges = args[2] ? coerce(args[2], 'bool') : LiteralNode.create(true, 'bool');
      const constant = args[3] ? coerce(args[3], 'real') : LiteralNode.create(0, 'real');
      return CallNode.create('series_fill_linear', [args[0], fillEdges, constant], 'dynamic');
    }
    case 'series_fill_forward':
    case 'series_fill_backward': {
      if (argNodes.length > 1) {
        throw lc.unsupported(`${name}() with a missing-value placeholder`, argNodes[1]);
      }
      return CallNode.create(name, [lc.scalar(argNodes[0], scope)], 'dynamic');
    }
    case 'materialize':
      return lc.scalar(argNodes[0], scope);
    case 'make_timespan': {
      // (hour, minute), (hour, minute, second) or (day, hour, minute, second); a real second is documented
      // although Kusto.Language rejects it (bind/reference-divergence.ts).
      const forms = ['make_timespan', 'make_timespan_seconds', 'make_timespan_days'];
      const form = forms[argNodes.length - 2];
      if (!form) {
        break;
      }
      return CallNode.create(
        form,
        argNodes.map((n) => lc.scalar(n, scope)),
        'timespan',
      );
    }
    default:
      break;
  }
  if (scope.collect && isAggregateCall(node)) {
    return scope.collect(lowerAggregate(lc, node));
  }
  const args = argNodes.map((n) => lc.scalar(n, scope));
  const resolved = resolveFunction(
    name,
    args.map((a) => a.type),
  );
  if (!resolved || resolved.mapping.aggregate) {
    throw lc.unsupported(`function ${name}()`, node);
  }
  if (!acceptsArgumentCount(resolved.mapping, args.length)) {
    throw lc.unsupported(`function ${name}() with ${args.length} arguments`, node);
  }
  return CallNode.create(resolved.key, args, type);
}

/** Functions that return several values (series_fit_line…): one IR expression per value, in order. */

function nowLiteral(lc: LoweringContext, argNodes: KNode[], scope: ScalarScope): ScalarNode {
  const now = LiteralNode.create({ slot: 'now' }, 'datetime');
  if (argNodes.length === 0) {
    return now;
  }
  return CallNode.create('AddExpression', [now, lc.scalar(argNodes[0], scope)], 'datetime');
}

function bagPack(lc: LoweringContext, argNodes: KNode[], scope: ScalarScope): ScalarNode {
  const pairs: ScalarNode[] = [];
  for (let i = 0; i + 1 < argNodes.length; i += 2) {
    pairs.push(stringOf(lc.scalar(argNodes[i], scope)), dynamicOf(lc.scalar(argNodes[i + 1], scope)));
  }
  return CallNode.create('json_object', pairs, 'dynamic');
}

/** `bag_pack_columns(A, B)`: a bag keyed by the columns' own names. */
function bagPackColumns(lc: LoweringContext, argNodes: KNode[], scope: ScalarScope): ScalarNode {
  const pairs: ScalarNode[] = [];
  for (const arg of argNodes) {
    if (syntaxKind(arg) !== 'NameReference') {
      throw lc.unsupported(`bag_pack_columns() argument ${describe(arg)} (only column names)`, arg);
    }
    pairs.push(LiteralNode.create(nameText(arg), 'string'), dynamicOf(lc.scalar(arg, scope)));
  }
  return CallNode.create('json_object', pairs, 'dynamic');
}
