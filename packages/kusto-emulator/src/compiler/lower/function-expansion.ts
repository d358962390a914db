/**
 * Calls of user functions (stored functions and `let` lambdas): Kusto.Language expands the body; its
 * parameters are bound to the call's arguments in a scope of their own, then the body is lowered there.
 */
import { KqlCompileError } from '../kql-compile-error.js';
import type { RelationNode, ScalarNode } from '../ir/ir-node.js';
import {
  child,
  type KNode,
  listElements,
  listToArray,
  nameText,
  requiredChild,
  syntaxKind,
} from '../parse/kusto-syntax.js';
import type { Binding, LoweringContext, ScalarScope } from './lowering-context.js';

interface KParameter {
  Name: string;
  DefaultValue: KNode | null;
}

interface KSignature {
  Parameters: { Count: number; getItem(i: number): KParameter };
}

/** `piped`: the input of `T | invoke f(…)`, bound to the function's first (tabular) parameter. */
export function expandTabularFunction(
  lc: LoweringContext,
  call: KNode,
  args: KNode[],
  piped?: RelationNode,
): RelationNode {
  return expand(lc, call, args, (body) => lc.tabular(body), piped);
}

export function expandScalarFunction(
  lc: LoweringContext,
  call: KNode,
  args: KNode[],
  scope: ScalarScope,
): ScalarNode {
  return expand(lc, call, args, (body) => lc.scalar(body, scope), undefined);
}

function expand<T>(
  lc: LoweringContext,
  call: KNode,
  args: KNode[],
  lowerBody: (body: KNode) => T,
  piped: RelationNode | undefined,
): T {
  const expansion = call.GetExpansion();
  if (!expansion) {
    throw lc.unsupported(`function ${nameText(call)}`, call);
  }
  const frame = argumentFrame(lc, call, args, piped);
  return lc.withScope(frame, () => {
    for (const statement of listElements(child(expansion, 'Statements'))) {
      lc.statement(statement);
    }
    return lowerBody(requiredChild(expansion, 'Expression'));
  });
}

/** Binds a call's arguments (positional, named, defaults) to the callee's parameter names. */
function argumentFrame(
  lc: LoweringContext,
  call: KNode,
  args: KNode[],
  piped: RelationNode | undefined,
): Map<string, Binding> {
  const frame = new Map<string, Binding>();
  const signature = (call as unknown as { ReferencedSignature?: KSignature | null }).ReferencedSignature;
  const parameters = signature ? listToArray(signature.Parameters) : [];
  const named = new Map<string, KNode>();
  const positional: KNode[] = [];
  for (const arg of args) {
    if (syntaxKind(arg) === 'SimpleNamedExpression') {
      named.set(nameText(requiredChild(arg, 'Name')), requiredChild(arg, 'Expression'));
    } else {
      positional.push(arg);
    }
  }
  const offset = piped ? 1 : 0;
  if (piped && parameters.length > 0) {
    frame.set(parameters[0].Name, { kind: 'relation', node: piped });
  }
  parameters.slice(offset).forEach((p, i) => {
    const arg = named.get(p.Name) ?? positional[i];
    const valueNode = arg ?? p.DefaultValue;
    if (!valueNode) {
      throw new KqlCompileError(
        'SEMANTIC',
        `function ${nameText(call)}: missing argument '${p.Name}'`,
        lc.position(call),
      );
    }
    if (valueNode.ResultType?.Columns) {
      frame.set(p.Name, { kind: 'relation', node: lc.tabular(valueNode) });
    } else {
      frame.set(p.Name, { kind: 'scalar', node: lc.scalar(valueNode, {}) });
    }
  });
  return frame;
}
