/**
 * KQL's lexical rules, once, for everything kqlgate reads without a full grammar: `.kql` scripts cut into commands
 * (kql-script.ts), management commands cut into tokens (mgmt-command-parser.ts) and literal values
 * (kql-literals.ts). Everything semantic is left to Kusto.Language (see function-analyzer.ts).
 *
 * String literals follow the KQL reference and Kusto.Language's scanner:
 * - `'…'` and `"…"`: a backslash escapes the quotes, `\\`, `\t`, `\n`, `\r`, `\a`, `\b`, `\f`, `\v`, `\uXXXX`,
 *   `\UXXXXXXXX`, `\xHH` and octal `\NNN`; any other backslash sequence, and a raw line break, end the literal
 *   unterminated;
 * - `@'…'` and `@"…"` (verbatim): the backslash is an ordinary character, the quote is doubled to stand for itself,
 *   and a raw line break ends the literal unterminated;
 * - ```` ```…``` ```` and `~~~…~~~` (multi-line): everything up to the closing fence, no escapes;
 * - `h` or `H` before any of the quoted forms (`h'…'`, `h@'…'`) obfuscates the literal in logs; its value is the
 *   same as without it.
 *
 * Tokens and errors carry offsets only: line and column are computed when a message is written (positionAt),
 * so lexing stays linear in the length of the text however long a command is.
 */

/** A string literal's extent and value, or why it is not a valid literal. */
export type StringLiteralScan =
  | { ok: true; end: number; value: string }
  | {
      ok: false;
      end: number;
      problem: string;
      /** Where to report it, when not at the literal's start. */ at?: number;
    };

const MULTI_LINE_FENCES = ['```', '~~~'];
const SIMPLE_ESCAPES: Record<string, string> = {
  "'": "'",
  '"': '"',
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};
const HEX_ESCAPE_DIGITS: Record<string, number> = { u: 4, U: 8, x: 2 };
const IDENTIFIER_PART = /[A-Za-z0-9_$]/;

/**
 * Scans the string literal starting at `i`; undefined when none starts there. `h` counts as a prefix only where it
 * cannot be the end of an identifier (`path'…'` is not an obfuscated literal).
 */
export function scanStringLiteral(text: string, i: number): StringLiteralScan | undefined {
  let pos = i;
  if ((text[pos] === 'h' || text[pos] === 'H') && !(pos > 0 && IDENTIFIER_PART.test(text[pos - 1]))) {
    pos++;
  }
  const fence = MULTI_LINE_FENCES.find((f) => text.startsWith(f, pos));
  if (fence) {
    const close = text.indexOf(fence, pos + fence.length);
    return close < 0
      ? { ok: false, end: text.length, problem: `multi-line string literal (${fence}) is not closed.` }
      : { ok: true, end: close + fence.length, value: text.slice(pos + fence.length, close) };
  }
  const verbatim = text[pos] === '@';
  if (verbatim) {
    pos++;
  }
  const quote = text[pos];
  if (quote !== "'" && quote !== '"') {
    return undefined;
  }
  return verbatim ? scanVerbatim(text, pos, quote) : scanQuoted(text, pos, quote);
}

function unterminated(text: string, end: number, quote: string): StringLiteralScan {
  const lineBreak =
    end < text.length ? ' before the end of the line (use ```…``` for a multi-line literal)' : '';
  return { ok: false, end, problem: `string literal starting with ${quote} is not closed${lineBreak}.` };
}

function scanVerbatim(text: string, open: number, quote: string): StringLiteralScan {
  let value = '';
  let from = open + 1;
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '\n' || c === '\r') {
      return unterminated(text, j, quote);
    }
    if (c === quote) {
      value += text.slice(from, j);
      if (text[j + 1] !== quote) {
        return { ok: true, end: j + 1, value };
      }
      value += quote;
      j++;
      from = j + 1;
    }
  }
  return unterminated(text, text.length, quote);
}

function scanQuoted(text: string, open: number, quote: string): StringLiteralScan {
  let value = '';
  let from = open + 1;
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === '\n' || c === '\r') {
      return unterminated(text, j, quote);
    }
    if (c === quote) {
      return { ok: true, end: j + 1, value: value + text.slice(from, j) };
    }
    if (c === '\\') {
      const escape = decodeEscape(text, j);
      if (!escape) {
        const sequence = text.slice(j, j + 2);
        return {
          ok: false,
          end: j,
          at: j,
          problem: `'${sequence}' is not a valid escape sequence in a string literal.`,
        };
      }
      value += text.slice(from, j) + escape.value;
      j = escape.end - 1;
      from = escape.end;
    }
  }
  return unterminated(text, text.length, quote);
}

/** The escape sequence at `j` (a backslash), or undefined when it is not one KQL knows. */
function decodeEscape(text: string, j: number): { value: string; end: number } | undefined {
  const c = text[j + 1] ?? '';
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) {
    return { value: simple, end: j + 2 };
  }
  const hexDigits = HEX_ESCAPE_DIGITS[c];
  if (hexDigits !== undefined) {
    const hex = text.slice(j + 2, j + 2 + hexDigits);
    if (hex.length !== hexDigits || !/^[0-9A-Fa-f]+$/.test(hex)) {
      return undefined;
    }
    return { value: String.fromCodePoint(parseInt(hex, 16)), end: j + 2 + hexDigits };
  }
  // Octal: up to three digits 0-7, three only when the value fits a byte (first digit 0-3), as Kusto scans it.
  const octal = /^[0-7]{1,3}/.exec(text.slice(j + 1, j + 4))?.[0];
  if (octal === undefined) {
    return undefined;
  }
  const digits = octal.length === 3 && octal[0] > '3' ? octal.slice(0, 2) : octal;
  return { value: String.fromCharCode(parseInt(digits, 8)), end: j + 1 + digits.length };
}

/**
 * Index just past the string literal starting at `i`, or -1 when no string literal starts there. Tolerant: an
 * invalid literal ends where the problem is, so that a script can still be cut into commands around it.
 */
export function skipString(text: string, i: number): number {
  const scan = scanStringLiteral(text, i);
  return scan ? Math.max(scan.end, i + 1) : -1;
}

/** Index just past a `//` comment starting at `i` (at its newline), or -1. */
export function skipComment(text: string, i: number): number {
  if (text[i] === '/' && text[i + 1] === '/') {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end;
  }
  return -1;
}

/** The value of one KQL string literal (`'a\'b'`, `@'c:\x'`, `h"…"`, ```` ```…``` ````); undefined when invalid. */
export function stringLiteralValue(literal: string): string | undefined {
  const text = literal.trim();
  const scan = scanStringLiteral(text, 0);
  return scan?.ok && scan.end === text.length ? scan.value : undefined;
}

/** Quotes a value as a KQL single-quoted string literal. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

export type TokenKind = 'word' | 'string' | 'number' | 'punct' | 'eof';

/** One token of a management command. `value` is the decoded value of a string, the source text otherwise. */
export interface Token {
  kind: TokenKind;
  value: string;
  start: number;
  end: number;
}

/** A lexical error at an offset of the command text. */
export class KqlLexError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(detail);
    this.name = 'KqlLexError';
  }
}

/** Characters a string literal can start with (quotes, `@`, the `h` prefix, multi-line fences). */
const LITERAL_START = new Set(["'", '"', '@', 'h', 'H', '`', '~']);

function isWordStart(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isWordPart(code: number): boolean {
  return isWordStart(code) || isDigit(code);
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isWhitespace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || (code > 127 && /\s/.test(String.fromCharCode(code)));
}

/**
 * Tokenizes a management command. Everything after `<|` is one query or inline data, taken verbatim by the parser
 * (inline CSV may hold unbalanced quotes), so it is not tokenized. The loop compares char codes, not regular
 * expressions: function bodies of megabytes go through it.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const length = source.length;
  let i = 0;
  while (i < length) {
    const code = source.charCodeAt(i);
    if (isWhitespace(code)) {
      i++;
      continue;
    }
    if (code === 47 && source.charCodeAt(i + 1) === 47) {
      i = skipComment(source, i);
      continue;
    }
    const start = i;
    const literal = LITERAL_START.has(source[i]) ? scanStringLiteral(source, i) : undefined;
    if (literal) {
      if (!literal.ok) {
        throw new KqlLexError(literal.problem, literal.at ?? start);
      }
      tokens.push({ kind: 'string', value: literal.value, start, end: literal.end });
      i = literal.end;
      continue;
    }
    if (isWordStart(code)) {
      let j = i + 1;
      // Command keywords contain dashes (`create-or-alter`, `set-or-append`); a dash followed by a letter
      // continues the word. Bodies are taken verbatim, so this never changes how KQL expressions read.
      for (;;) {
        const next = source.charCodeAt(j);
        if (isWordPart(next) || (next === 45 && isLetter(source.charCodeAt(j + 1)))) {
          j++;
        } else {
          break;
        }
      }
      tokens.push({ kind: 'word', value: source.slice(start, j), start, end: j });
      i = j;
      continue;
    }
    if (isDigit(code)) {
      let j = i + 1;
      // Digits, a decimal point, exponents, and unit suffixes of timespans (`1.5h`, `10ms`).
      while (j < length && (isWordPart(source.charCodeAt(j)) || source.charCodeAt(j) === 46)) {
        j++;
      }
      tokens.push({ kind: 'number', value: source.slice(start, j), start, end: j });
      i = j;
      continue;
    }
    if (code === 60 && source.charCodeAt(i + 1) === 124) {
      tokens.push({ kind: 'punct', value: '<|', start, end: i + 2 });
      i = length;
      break;
    }
    tokens.push({ kind: 'punct', value: source[i], start, end: i + 1 });
    i++;
  }
  tokens.push({ kind: 'eof', value: '', start: length, end: length });
  return tokens;
}
