import { KqlLexError, tokenize, type Token } from './kql-lexer.js';
import { ManagementCommandError } from './mgmt-command-error.js';
import { positionAt } from './source-position.js';

const BRACKET_PAIRS: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
/** How much of an unexpected token a message quotes. */
const FOUND_MAX_LENGTH = 40;

/**
 * The token stream of one management command, and the steps every command's grammar is made of: peek, expect,
 * names, bracketed spans, and errors that say what was expected at the offending token.
 */
export class TokenCursor {
  protected readonly tokens: Token[];
  protected index = 0;

  constructor(protected readonly source: string) {
    try {
      this.tokens = tokenize(source);
    } catch (error) {
      if (error instanceof KqlLexError) {
        throw new ManagementCommandError('syntax', error.detail, error.offset, source);
      }
      throw error;
    }
  }

  /** Entity names: `Name`, `['Name with spaces']` or `["Name"]`. */
  protected parseName(expected: string): string {
    const token = this.peek();
    if (token.kind === 'word') {
      this.next();
      return token.value;
    }
    if (token.kind === 'punct' && token.value === '[') {
      this.next();
      const name = this.expectString(`${expected} as a string literal inside [ ]`);
      this.expectPunct(']', "']' closing the bracketed name");
      return name.value;
    }
    throw this.error(token, expected);
  }

  /** Skips from an opening bracket (current or given) to its match; returns the closing token. */
  protected skipBalanced(openToken?: Token): Token {
    const open = openToken ?? this.next();
    const stack = [BRACKET_PAIRS[open.value]];
    for (;;) {
      const token = this.next();
      if (token.kind === 'eof') {
        const { line, column } = positionAt(this.source, open.start);
        throw this.error(
          token,
          `'${stack[stack.length - 1]}' closing the '${open.value}' at ${line}:${column}`,
        );
      }
      if (token.kind !== 'punct') {
        continue;
      }
      if (BRACKET_PAIRS[token.value]) {
        stack.push(BRACKET_PAIRS[token.value]);
      } else if (token.value === stack[stack.length - 1]) {
        stack.pop();
        if (stack.length === 0) {
          return token;
        }
      } else if (token.value === ')' || token.value === '}' || token.value === ']') {
        throw this.error(token, `'${stack[stack.length - 1]}'`);
      }
    }
  }

  protected requireVerb(verb: string, allowed: string[], at: Token): void {
    if (!allowed.includes(verb)) {
      throw new ManagementCommandError(
        'syntax',
        `'.${verb}' cannot be used here; expected one of ${allowed.map((a) => `.${a}`).join(', ')}.`,
        at.start,
        this.source,
      );
    }
  }

  protected peek(): Token {
    return this.tokens[this.index];
  }

  protected next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'eof') {
      this.index++;
    }
    return token;
  }

  protected peekKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value.toLowerCase() === word;
  }

  protected peekPunct(value: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.value === value;
  }

  protected expectKeyword(word: string): Token {
    const token = this.peek();
    if (token.kind !== 'word' || token.value.toLowerCase() !== word) {
      throw this.error(token, `'${word}'`);
    }
    return this.next();
  }

  protected expectWord(expected: string): Token {
    const token = this.peek();
    if (token.kind !== 'word') {
      throw this.error(token, expected);
    }
    return this.next();
  }

  /** A string literal; for definitions, adjacent literals concatenate (`'[' '{…},' ']'`) as Kusto allows. */
  protected expectString(expected: string, concatenate = false): Token {
    const token = this.peek();
    if (token.kind !== 'string') {
      throw this.error(token, expected);
    }
    const first = this.next();
    let value = first.value;
    let end = first.end;
    while (concatenate && this.peek().kind === 'string') {
      const more = this.next();
      value += more.value;
      end = more.end;
    }
    return { ...first, value, end };
  }

  protected expectPunct(values: string | string[], expected: string): Token {
    const token = this.peek();
    const allowed = Array.isArray(values) ? values : [values];
    if (token.kind !== 'punct' || !allowed.includes(token.value)) {
      throw this.error(token, expected);
    }
    return this.next();
  }

  protected error(token: Token, expected: string): ManagementCommandError {
    return new ManagementCommandError(
      'syntax',
      `expected ${expected}, found ${this.describe(token)}.`,
      token.start,
      this.source,
    );
  }

  protected unsupported(token: Token, what: string, hint?: string): ManagementCommandError {
    return new ManagementCommandError('notSupported', what, token.start, this.source, hint);
  }

  protected describe(token: Token): string {
    if (token.kind === 'eof') {
      return 'end of command';
    }
    const text = this.source.slice(token.start, token.end);
    return `'${text.length > FOUND_MAX_LENGTH ? `${text.slice(0, FOUND_MAX_LENGTH)}…` : text}'`;
  }
}
