/**
 * The SQL filter language of Service Bus subscription rules (a SQL-92 subset), compiled once at start:
 * tokenize → parse to an expression tree → evaluate per message with three-valued logic (a missing property
 * is NULL; a rule matches only when the whole expression is TRUE).
 *
 * Supported: comparison (= <> != < <= > >=), + - * / %, AND/OR/NOT, [NOT] IN (…), [NOT] LIKE '…' [ESCAPE '…'],
 * IS [NOT] NULL, EXISTS(prop), string/number/TRUE/FALSE/NULL literals, `sys.` and `user.` prefixes and
 * [bracketed names]. Unsupported syntax is rejected at parse time with the position of the problem.
 */
import { FilterEvaluationError, type FilterableMessage, type MessageFilter } from './message-filter.js';

type Token =
  | { kind: 'ident'; text: string; pos: number }
  | { kind: 'string'; text: string; pos: number }
  | { kind: 'number'; value: number; pos: number }
  | { kind: 'op'; text: string; pos: number }
  | { kind: 'end'; pos: number };

type Expr =
  | { kind: 'literal'; value: unknown }
  | { kind: 'property'; scope: 'sys' | 'user'; name: string }
  | { kind: 'unary'; op: 'not' | 'neg'; operand: Expr }
  | { kind: 'binary'; op: string; left: Expr; right: Expr }
  | { kind: 'in'; operand: Expr; list: Expr[]; negated: boolean }
  | { kind: 'like'; operand: Expr; pattern: RegExp; negated: boolean }
  | { kind: 'isNull'; operand: Expr; negated: boolean }
  | { kind: 'exists'; property: Expr & { kind: 'property' } };

export class SqlFilterSyntaxError extends Error {
  override readonly name = 'SqlFilterSyntaxError';
}

const KEYWORDS = new Set([
  'and',
  'or',
  'not',
  'in',
  'like',
  'escape',
  'is',
  'null',
  'true',
  'false',
  'exists',
]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) {
          throw new SqlFilterSyntaxError(`unterminated string literal starting at position ${start + 1}`);
        }
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += source[i++];
      }
      tokens.push({ kind: 'string', text, pos: start });
      continue;
    }
    if (c === '[') {
      const close = source.indexOf(']', i);
      if (close < 0) {
        throw new SqlFilterSyntaxError(`unterminated [bracketed name] starting at position ${start + 1}`);
      }
      tokens.push({ kind: 'ident', text: source.slice(i + 1, close), pos: start });
      i = close + 1;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?/.exec(source.slice(i));
      const text = match ? match[0] : c;
      tokens.push({ kind: 'number', value: Number(text), pos: start });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_@$]/.test(c)) {
      const match = /^[A-Za-z_@$][A-Za-z0-9_@$-]*/.exec(source.slice(i));
      const text = match ? match[0] : c;
      tokens.push({ kind: 'ident', text, pos: start });
      i += text.length;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (['<>', '!=', '<=', '>='].includes(two)) {
      tokens.push({ kind: 'op', text: two, pos: start });
      i += 2;
      continue;
    }
    if ('=<>()+-*/%,.'.includes(c)) {
      tokens.push({ kind: 'op', text: c, pos: start });
      i++;
      continue;
    }
    throw new SqlFilterSyntaxError(`unexpected character '${c}' at position ${start + 1}`);
  }
  tokens.push({ kind: 'end', pos: source.length });
  return tokens;
}

function likeToRegExp(pattern: string, escape: string | undefined): RegExp {
  let out = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (escape !== undefined && c === escape && i + 1 < pattern.length) {
      out += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') {
      out += '[\\s\\S]*';
    } else if (c === '_') {
      out += '[\\s\\S]';
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`${out}$`, 's');
}

class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Expr {
    const expr = this.or();
    const next = this.peek();
    if (next.kind !== 'end') {
      throw this.error(next, 'end of expression');
    }
    return expr;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    return this.tokens[this.index++];
  }

  private isKeyword(word: string, token = this.peek()): boolean {
    return token.kind === 'ident' && token.text.toLowerCase() === word;
  }

  private isOp(op: string, token = this.peek()): boolean {
    return token.kind === 'op' && token.text === op;
  }

  private error(token: Token, expected: string): SqlFilterSyntaxError {
    const found =
      token.kind === 'end' ? 'end of expression' : `'${'text' in token ? token.text : token.value}'`;
    return new SqlFilterSyntaxError(`expected ${expected} at position ${token.pos + 1}, found ${found}`);
  }

  private expectOp(op: string): void {
    const token = this.next();
    if (!this.isOp(op, token)) {
      throw this.error(token, `'${op}'`);
    }
  }

  private or(): Expr {
    let left = this.and();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'binary', op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'binary', op: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Expr {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'unary', op: 'not', operand: this.not() };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    if (this.isKeyword('exists')) {
      this.next();
      this.expectOp('(');
      const property = this.primary();
      if (property.kind !== 'property') {
        throw new SqlFilterSyntaxError('EXISTS expects a property name, e.g. EXISTS(color)');
      }
      this.expectOp(')');
      return { kind: 'exists', property };
    }
    const left = this.additive();
    const token = this.peek();
    if (token.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(token.text)) {
      this.next();
      return { kind: 'binary', op: token.text === '!=' ? '<>' : token.text, left, right: this.additive() };
    }
    if (this.isKeyword('is')) {
      this.next();
      let negated = false;
      if (this.isKeyword('not')) {
        this.next();
        negated = true;
      }
      const nullToken = this.next();
      if (!this.isKeyword('null', nullToken)) {
        throw this.error(nullToken, 'NULL');
      }
      return { kind: 'isNull', operand: left, negated };
    }
    let negated = false;
    if (this.isKeyword('not')) {
      this.next();
      negated = true;
      if (!this.isKeyword('in') && !this.isKeyword('like')) {
        throw this.error(this.peek(), 'IN or LIKE after NOT');
      }
    }
    if (this.isKeyword('in')) {
      this.next();
      this.expectOp('(');
      const list: Expr[] = [this.additive()];
      while (this.isOp(',')) {
        this.next();
        list.push(this.additive());
      }
      this.expectOp(')');
      return { kind: 'in', operand: left, list, negated };
    }
    if (this.isKeyword('like')) {
      this.next();
      const pattern = this.next();
      if (pattern.kind !== 'string') {
        throw this.error(pattern, 'a string pattern after LIKE');
      }
      let escape: string | undefined;
      if (this.isKeyword('escape')) {
        this.next();
        const esc = this.next();
        if (esc.kind !== 'string' || esc.text.length !== 1) {
          throw this.error(esc, 'a one-character string after ESCAPE');
        }
        escape = esc.text;
      }
      return { kind: 'like', operand: left, pattern: likeToRegExp(pattern.text, escape), negated };
    }
    return left;
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const op = (this.next() as { text: string }).text;
      left = { kind: 'binary', op, left, right: this.multiplicative() };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = (this.next() as { text: string }).text;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.next();
      return { kind: 'unary', op: 'neg', operand: this.unary() };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    return this.primary();
  }

  private primary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'string':
        return { kind: 'literal', value: token.text };
      case 'op':
        if (token.text === '(') {
          const inner = this.or();
          this.expectOp(')');
          return inner;
        }
        throw this.error(token, 'a value, property name or (');
      case 'end':
        throw this.error(token, 'a value or property name');
      case 'ident': {
        const lower = token.text.toLowerCase();
        if (lower === 'true' || lower === 'false') {
          return { kind: 'literal', value: lower === 'true' };
        }
        if (lower === 'null') {
          return { kind: 'literal', value: null };
        }
        if (KEYWORDS.has(lower)) {
          throw this.error(token, 'a value or property name');
        }
        if ((lower === 'sys' || lower === 'user') && this.isOp('.')) {
          this.next();
          const name = this.next();
          if (name.kind !== 'ident') {
            throw this.error(name, `a property name after '${token.text}.'`);
          }
          return lower === 'sys'
            ? { kind: 'property', scope: 'sys', name: name.text.toLowerCase() }
            : { kind: 'property', scope: 'user', name: name.text };
        }
        return { kind: 'property', scope: 'user', name: token.text };
      }
      default:
        throw new SqlFilterSyntaxError('unexpected token');
    }
  }
}

function lookup(message: FilterableMessage, scope: 'sys' | 'user', name: string): unknown {
  if (scope === 'sys') {
    return message.system[name === 'subject' ? 'label' : name];
  }
  if (Object.prototype.hasOwnProperty.call(message.user, name)) {
    return message.user[name];
  }
  const lower = name.toLowerCase();
  const key = Object.keys(message.user).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : message.user[key];
}

function normalize(value: unknown): unknown {
  if (value === undefined) {
    return null;
  }
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (value instanceof Date) {
    return value.getTime();
  }
  return value;
}

function compare(op: string, left: unknown, right: unknown): boolean | null {
  if (left === null || right === null) {
    return null;
  }
  if (typeof left !== typeof right) {
    throw new FilterEvaluationError(
      `cannot compare ${typeof left} ${JSON.stringify(left)} with ${typeof right} ${JSON.stringify(right)}`,
    );
  }
  const l = left as number | string | boolean;
  const r = right as number | string | boolean;
  switch (op) {
    case '=':
      return l === r;
    case '<>':
      return l !== r;
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    case '>=':
      return l >= r;
    default:
      throw new FilterEvaluationError(`unknown comparison ${op}`);
  }
}

function arithmetic(op: string, left: unknown, right: unknown): unknown {
  if (left === null || right === null) {
    return null;
  }
  if (op === '+' && typeof left === 'string' && typeof right === 'string') {
    return left + right;
  }
  if (typeof left !== 'number' || typeof right !== 'number') {
    throw new FilterEvaluationError(
      `arithmetic '${op}' needs numbers, got ${typeof left} and ${typeof right}`,
    );
  }
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      return left % right;
    default:
      throw new FilterEvaluationError(`unknown operator ${op}`);
  }
}

function truth(value: unknown): boolean | null {
  if (value === null || typeof value === 'boolean') {
    return value;
  }
  throw new FilterEvaluationError(
    `expected a boolean condition, got ${typeof value} ${JSON.stringify(value)}`,
  );
}

function evaluate(expr: Expr, message: FilterableMessage): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'property':
      return normalize(lookup(message, expr.scope, expr.name));
    case 'exists':
      return lookup(message, expr.property.scope, expr.property.name) !== undefined;
    case 'isNull': {
      const isNull = evaluate(expr.operand, message) === null;
      return expr.negated ? !isNull : isNull;
    }
    case 'unary': {
      const value = evaluate(expr.operand, message);
      if (expr.op === 'neg') {
        if (value === null) {
          return null;
        }
        if (typeof value !== 'number') {
          throw new FilterEvaluationError(`cannot negate ${typeof value}`);
        }
        return -value;
      }
      const t = truth(value);
      return t === null ? null : !t;
    }
    case 'in': {
      const value = evaluate(expr.operand, message);
      if (value === null) {
        return null;
      }
      let sawNull = false;
      for (const item of expr.list) {
        const candidate = evaluate(item, message);
        if (candidate === null) {
          sawNull = true;
        } else if (compare('=', value, candidate)) {
          return !expr.negated;
        }
      }
      return sawNull ? null : expr.negated;
    }
    case 'like': {
      const value = evaluate(expr.operand, message);
      if (value === null) {
        return null;
      }
      if (typeof value !== 'string') {
        throw new FilterEvaluationError(`LIKE needs a string, got ${typeof value}`);
      }
      const matched = expr.pattern.test(value);
      return expr.negated ? !matched : matched;
    }
    case 'binary': {
      if (expr.op === 'and') {
        const l = truth(evaluate(expr.left, message));
        if (l === false) {
          return false;
        }
        const r = truth(evaluate(expr.right, message));
        if (r === false) {
          return false;
        }
        return l === null || r === null ? null : true;
      }
      if (expr.op === 'or') {
        const l = truth(evaluate(expr.left, message));
        if (l === true) {
          return true;
        }
        const r = truth(evaluate(expr.right, message));
        if (r === true) {
          return true;
        }
        return l === null || r === null ? null : false;
      }
      const left = evaluate(expr.left, message);
      const right = evaluate(expr.right, message);
      if (['+', '-', '*', '/', '%'].includes(expr.op)) {
        return arithmetic(expr.op, left, right);
      }
      return compare(expr.op, left, right);
    }
    default:
      throw new FilterEvaluationError('unknown expression');
  }
}

/** Parses a rule's `SqlExpression`; throws `SqlFilterSyntaxError` with the position of the problem. */
export function compileSqlFilter(expression: string): MessageFilter {
  if (expression.trim() === '') {
    throw new SqlFilterSyntaxError('the SQL filter expression is empty');
  }
  const tree = new Parser(tokenize(expression)).parse();
  return {
    description: expression,
    matches: (message) => truth(evaluate(tree, message)) === true,
  };
}
