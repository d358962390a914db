/**
 * Reading a scalar as another type: Kusto's implicit widening (int → long → real), dynamic values read as
 * typed ones, and typed values entering dynamic ones. Pure: each returns a new IR expression.
 */
import { CallNode } from '../ir/call-node.js';
import type { IrType, ScalarNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { resolveFunction } from '../sql/function-map.js';

export function asBool(node: ScalarNode): ScalarNode {
  return node.type === 'bool' ? node : convert(node, 'bool');
}

/** Reads a value as `type` (Kusto's implicit widening int→long→real, and dynamic → typed). */
export function coerce(node: ScalarNode, type: IrType): ScalarNode {
  if (node.type === type || type === 'struct') {
    return node;
  }
  if (node.kind === 'Literal' && node.value === null) {
    return LiteralNode.create(null, type);
  }
  if (type === 'dynamic') {
    return dynamicOf(node);
  }
  return convert(node, type);
}

export function convert(node: ScalarNode, type: IrType): ScalarNode {
  if (node.type === type) {
    return node;
  }
  if (node.type === 'dynamic') {
    return CallNode.create(`from_dynamic/${type}`, [node], type);
  }
  if (type === 'string') {
    return stringOf(node);
  }
  if (type === 'dynamic') {
    return dynamicOf(node);
  }
  return castTo(node, type);
}

export function stringOf(node: ScalarNode): ScalarNode {
  if (node.type === 'string') {
    return node;
  }
  const resolved = resolveFunction('tostring', [node.type]);
  return CallNode.create(resolved?.key ?? 'tostring', [node], 'string');
}

export function dynamicOf(node: ScalarNode): ScalarNode {
  if (node.type === 'dynamic') {
    return node;
  }
  if (node.kind === 'Literal' && node.value === null) {
    return LiteralNode.create(null, 'dynamic');
  }
  return CallNode.create(`to_dynamic/${node.type}`, [node], 'dynamic');
}

/** The Kusto conversion function for `type` (toreal, tobool…); anything else converts with tolong. */
const CAST_FUNCTIONS: Partial<Record<IrType, string>> = {
  real: 'toreal',
  bool: 'tobool',
  datetime: 'todatetime',
  timespan: 'totimespan',
  guid: 'toguid',
  decimal: 'todecimal',
  int: 'toint',
};

function castTo(node: ScalarNode, type: IrType): ScalarNode {
  const key = CAST_FUNCTIONS[type] ?? 'tolong';
  const resolved = resolveFunction(key, [node.type]);
  return CallNode.create(resolved?.key ?? key, [node], type);
}
