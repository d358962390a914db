/**
 * Statements: `let` bindings, `declare query_parameters`, options that do not change results, and
 * expression statements, each of which yields one result table (`fork` one per branch).
 */
import { KqlCompileError } from '../kql-compile-error.js';
import type { RelationNode } from '../ir/ir-node.js';
import { LiteralNode } from '../ir/literal-node.js';
import { ProjectNode } from '../ir/project-node.js';
import {
  child,
  type KNode,
  listElements,
  nameText,
  requiredChild,
  syntaxKind,
} from '../parse/kusto-syntax.js';
import type { LoweringContext } from './lowering-context.js';
import { lowerOperator } from './operators/operator-table.js';
import { kustoType } from './result-schema.js';
import { singleRow } from './tabular-source-lowerer.js';

/** One relation per result-producing statement, in order. */
export function lowerStatements(lc: LoweringContext): RelationNode[] {
  const results: RelationNode[] = [];
  for (const statement of listElements(child(lc.input.root, 'Statements'))) {
    const fork = forkStatement(lc, statement);
    if (fork) {
      results.push(...fork);
      continue;
    }
    const relation = lowerStatement(lc, statement);
    if (relation) {
      results.push(relation);
    }
  }
  return results;
}

export function lowerStatement(lc: LoweringContext, node: KNode): RelationNode | undefined {
  const kind = syntaxKind(node);
  switch (kind) {
    case 'LetStatement':
      letStatement(lc, node);
      return undefined;
    case 'QueryParametersStatement':
      queryParameters(lc, node);
      return undefined;
    case 'SetOptionStatement':
    case 'AliasStatement':
    case 'RestrictStatement':
      return undefined;
    case 'ExpressionStatement': {
      const expr = requiredChild(node, 'Expression');
      if (!expr.ResultType?.Columns && syntaxKind(expr) !== 'PipeExpression') {
        // A scalar expression statement behaves like `print`.
        const value = lc.scalar(expr, {});
        return ProjectNode.create(
          singleRow(),
          [{ name: 'print_0', expr: value }],
          [{ name: 'print_0', type: kustoType(expr.ResultType) }],
        );
      }
      return lc.tabular(expr);
    }
    default:
      throw lc.unsupported(`statement ${kind}`, node);
  }
}

/** `T | fork (op…) (op…)`: one result table per branch, each branch applied to the same input. */
function forkStatement(lc: LoweringContext, node: KNode): RelationNode[] | undefined {
  if (syntaxKind(node) !== 'ExpressionStatement') {
    return undefined;
  }
  const expr = requiredChild(node, 'Expression');
  const op = syntaxKind(expr) === 'PipeExpression' ? requiredChild(expr, 'Operator') : undefined;
  if (!op || syntaxKind(op) !== 'ForkOperator') {
    return undefined;
  }
  const input = lc.tabular(requiredChild(expr, 'Expression'));
  return listElements(child(op, 'Expressions')).map((branch) =>
    operatorChain(lc, input, requiredChild(branch, 'Expression')),
  );
}

/** Applies a source-less operator pipeline (`where … | take …`) to `input`. */
function operatorChain(lc: LoweringContext, input: RelationNode, node: KNode): RelationNode {
  if (syntaxKind(node) === 'PipeExpression') {
    return lowerOperator(
      lc,
      operatorChain(lc, input, requiredChild(node, 'Expression')),
      requiredChild(node, 'Operator'),
    );
  }
  if (syntaxKind(node) === 'ParenthesizedExpression') {
    return operatorChain(lc, input, requiredChild(node, 'Expression'));
  }
  return lowerOperator(lc, input, node);
}

function letStatement(lc: LoweringContext, node: KNode): void {
  const name = nameText(requiredChild(node, 'Name'));
  const expr = requiredChild(node, 'Expression');
  if (syntaxKind(expr) === 'FunctionDeclaration') {
    lc.bind(name, { kind: 'lambda', declaration: expr });
    return;
  }
  if (expr.ResultType?.Columns) {
    lc.bind(name, { kind: 'relation', node: lc.tabular(expr) });
  } else {
    lc.bind(name, { kind: 'scalar', node: lc.scalar(expr, {}) });
  }
}

function queryParameters(lc: LoweringContext, node: KNode): void {
  const list = child(node, 'Parameters');
  const declarations = list ? listElements(child(list, 'Parameters') ?? list) : [];
  for (const declaration of declarations) {
    const nameAndType = child(declaration, 'NameAndType') ?? declaration;
    const name = nameText(requiredChild(nameAndType, 'Name'));
    const typeNode = requiredChild(nameAndType, 'Type');
    const type = kustoType(typeNode.toString().trim().toLowerCase());
    const defaultClause = child(declaration, 'DefaultValue');
    const supplied = Object.prototype.hasOwnProperty.call(lc.input.params, name);
    if (supplied) {
      // The value is bound per execution (compiled queries are cached), validated in kql-compiler.ts.
      const { line, column } = lc.position(declaration);
      lc.bind(name, {
        kind: 'scalar',
        node: LiteralNode.create({ slot: 'query', name, type, line, column }, type),
      });
    } else if (defaultClause) {
      const valueNode = child(defaultClause, 'Value') ?? child(defaultClause, 'Expression') ?? defaultClause;
      lc.bind(name, { kind: 'scalar', node: lc.scalar(valueNode, {}) });
    } else {
      throw new KqlCompileError(
        'PARAMETER',
        `query parameter '${name}' (${type}) is declared without a default and no value was supplied`,
        lc.position(declaration),
      );
    }
  }
}
