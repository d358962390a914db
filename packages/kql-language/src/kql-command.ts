import { findClosingBracket, skipString, skipTrivia, splitTopLevel, unquoteString } from './kql-lexer.js';
import type { ScriptCommand } from './kql-script.js';
import { normalizeScalarType, type KustoScalarType } from './kql-scalar-types.js';

/**
 * The management commands a `kql/` directory is made of, parsed just far enough for kqlgate to build a schema
 * (tables, function signatures and bodies) and to deploy them in dependency order. Offsets are script offsets so
 * every problem can be reported at `file:line:col`.
 */
export type KqlCommand = TableCommand | FunctionCommand | MappingCommand | UpdatePolicyCommand | OtherCommand;

interface CommandBase {
  /** The full command text, exactly as written (what deploy sends). */
  text: string;
  offset: number;
}

export interface ColumnDeclaration {
  name: string;
  type: KustoScalarType;
}

export interface TableCommand extends CommandBase {
  kind: 'table';
  name: string;
  columns: ColumnDeclaration[];
  properties: Record<string, string>;
}

export interface ParameterDeclaration {
  name: string;
  /** `tabular` for `T:(*)` or `T:(a:string)` parameters. */
  type: KustoScalarType | 'tabular';
  /** The default value as written, e.g. `1h`, `'web'`, `datetime(null)`. */
  defaultText?: string;
  offset: number;
}

export interface FunctionCommand extends CommandBase {
  kind: 'function';
  name: string;
  nameOffset: number;
  parameters: ParameterDeclaration[];
  /** The parameter list between the parentheses, verbatim. */
  parameterText: string;
  parameterOffset: number;
  /** The body between the braces, verbatim. */
  body: string;
  bodyOffset: number;
  properties: Record<string, string>;
}

export interface MappingCommand extends CommandBase {
  kind: 'mapping';
  table: string;
  format: string;
  name: string;
  mapping: string;
}

export interface UpdatePolicyCommand extends CommandBase {
  kind: 'update-policy';
  table: string;
  policy: string;
}

export interface OtherCommand extends CommandBase {
  kind: 'other';
}

/** A command that does not parse; `offset` is where the problem is. */
export class KqlCommandSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'KqlCommandSyntaxError';
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;

export function parseCommand(command: ScriptCommand): KqlCommand {
  const { text, offset } = command;
  const verb = /^\.(create-or-alter|create-merge|create|alter-merge|alter)\s+(function|table)\b/i.exec(text);
  if (!verb) {
    return { kind: 'other', text, offset };
  }
  const reader = new CommandReader(text, offset, verb[0].length);
  if (verb[2].toLowerCase() === 'function') {
    return parseFunction(reader, text, offset);
  }
  const name = reader.identifier('a table name');
  const next = reader.peekWord();
  if (next === 'ingestion') {
    reader.word('ingestion');
    const format = reader.identifier('an ingestion mapping kind such as json');
    reader.word('mapping');
    const mappingName = unquoteString(reader.stringLiteral('the mapping name in quotes'));
    const mapping = unquoteString(reader.stringLiteral('the mapping as a JSON string literal'));
    return {
      kind: 'mapping',
      text,
      offset,
      table: name,
      format: format.toLowerCase(),
      name: mappingName,
      mapping,
    };
  }
  if (next === 'policy') {
    reader.word('policy');
    const policyKind = reader.identifier('a policy kind');
    if (policyKind.toLowerCase() !== 'update') {
      return { kind: 'other', text, offset };
    }
    const policy = unquoteString(reader.stringLiteral('the update policy as a JSON string literal'));
    return { kind: 'update-policy', text, offset, table: name, policy };
  }
  if (reader.peekChar() !== '(') {
    return { kind: 'other', text, offset };
  }
  const columnsText = reader.bracketed('(', 'the column list');
  const columns = columnsText.parts.map((part) => parseColumn(part.text, columnsText.offset + part.offset));
  const properties = reader.peekWord() === 'with' ? reader.withProperties() : {};
  return { kind: 'table', text, offset, name, columns, properties };
}

function parseFunction(reader: CommandReader, text: string, offset: number): FunctionCommand {
  const properties = reader.peekWord() === 'with' ? reader.withProperties() : {};
  const nameOffset = reader.position();
  const name = reader.identifier('the function name');
  const parameters = reader.bracketed('(', 'the parameter list');
  const body = reader.bracketed('{', 'the function body in braces');
  return {
    kind: 'function',
    text,
    offset,
    name,
    nameOffset,
    parameters: parameters.parts
      .filter((part) => part.text.trim() !== '')
      .map((part) => parseParameter(part.text, parameters.offset + part.offset)),
    parameterText: parameters.inner,
    parameterOffset: parameters.offset,
    body: body.inner,
    bodyOffset: body.offset,
    properties,
  };
}

function parseColumn(text: string, offset: number): ColumnDeclaration {
  const match = /^\s*(\[?'?([A-Za-z_][A-Za-z0-9_ ]*)'?\]?)\s*:\s*([A-Za-z0-9]+)\s*$/.exec(text);
  if (!match) {
    throw new KqlCommandSyntaxError(
      `expected 'Name: type' in the column list, found '${text.trim()}'`,
      offset,
    );
  }
  const type = normalizeScalarType(match[3]);
  if (!type) {
    throw new KqlCommandSyntaxError(`unknown column type '${match[3]}' for column ${match[2]}`, offset);
  }
  return { name: match[2], type };
}

function parseParameter(text: string, offset: number): ParameterDeclaration {
  const leading = text.length - text.trimStart().length;
  const match = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*/.exec(text.trimStart());
  if (!match) {
    throw new KqlCommandSyntaxError(
      `expected 'name: type' in the parameter list, found '${text.trim()}'`,
      offset,
    );
  }
  const rest = text.trimStart().slice(match[0].length);
  const paramOffset = offset + leading;
  if (rest.startsWith('(')) {
    return { name: match[1], type: 'tabular', offset: paramOffset };
  }
  const typeMatch = /^([A-Za-z0-9]+)\s*(=\s*([\s\S]*))?$/.exec(rest.trim());
  const type = typeMatch ? normalizeScalarType(typeMatch[1]) : undefined;
  if (!typeMatch || !type) {
    throw new KqlCommandSyntaxError(`unknown type for parameter ${match[1]}: '${rest.trim()}'`, paramOffset);
  }
  const defaultText = typeMatch[3]?.trim();
  return { name: match[1], type, offset: paramOffset, ...(defaultText ? { defaultText } : {}) };
}

/** A cursor over one command's text that reports problems at script offsets. */
class CommandReader {
  constructor(
    private readonly text: string,
    private readonly base: number,
    private index: number,
  ) {}

  position(): number {
    this.index = skipTrivia(this.text, this.index);
    return this.base + this.index;
  }

  peekChar(): string {
    this.index = skipTrivia(this.text, this.index);
    return this.text[this.index] ?? '';
  }

  peekWord(): string {
    this.index = skipTrivia(this.text, this.index);
    return (/^[A-Za-z_-]+/.exec(this.text.slice(this.index))?.[0] ?? '').toLowerCase();
  }

  word(expected: string): void {
    if (this.peekWord() !== expected) {
      this.fail(`expected '${expected}'`);
    }
    this.index += expected.length;
  }

  identifier(what: string): string {
    this.index = skipTrivia(this.text, this.index);
    const rest = this.text.slice(this.index);
    const bracketed = /^\[\s*(['"])(.*?)\1\s*\]/.exec(rest);
    if (bracketed) {
      this.index += bracketed[0].length;
      return bracketed[2];
    }
    const match = IDENTIFIER.exec(rest);
    if (!match) {
      this.fail(`expected ${what}`);
    }
    this.index += match[0].length;
    return match[0];
  }

  stringLiteral(what: string): string {
    this.index = skipTrivia(this.text, this.index);
    const end = skipString(this.text, this.index);
    if (end < 0) {
      this.fail(`expected ${what}`);
    }
    const literal = this.text.slice(this.index, end);
    this.index = end;
    return literal;
  }

  bracketed(
    open: string,
    what: string,
  ): { inner: string; offset: number; parts: { text: string; offset: number }[] } {
    this.index = skipTrivia(this.text, this.index);
    if (this.text[this.index] !== open) {
      this.fail(`expected ${what} starting with '${open}'`);
    }
    const close = findClosingBracket(this.text, this.index);
    if (close < 0) {
      this.fail(`${what} is not closed`);
    }
    const inner = this.text.slice(this.index + 1, close);
    const offset = this.base + this.index + 1;
    this.index = close + 1;
    return { inner, offset, parts: splitTopLevel(inner) };
  }

  withProperties(): Record<string, string> {
    this.word('with');
    const list = this.bracketed('(', 'the with (...) property list');
    const properties: Record<string, string> = {};
    for (const part of list.parts) {
      const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([\s\S]*?)\s*$/.exec(part.text);
      if (!match) {
        throw new KqlCommandSyntaxError(
          `expected 'name = value' in with (...), found '${part.text.trim()}'`,
          list.offset + part.offset,
        );
      }
      const value = match[2];
      properties[match[1].toLowerCase()] =
        skipString(value, 0) === value.length ? unquoteString(value) : value;
    }
    return properties;
  }

  private fail(message: string): never {
    const found = this.text.slice(this.index, this.index + 20).split('\n')[0];
    throw new KqlCommandSyntaxError(`${message}, found '${found}'`, this.base + this.index);
  }
}
