/**
 * Tokenizer for control commands. It understands just enough of KQL's lexical rules (all string literal
 * forms, comments, the `<|` pipe) to find where a function body or an inline query starts and ends; the
 * text of those bodies is passed on verbatim by position, never re-assembled from tokens.
 */
import { KustoEngineError } from '../errors/kusto-engine-error.js';

export type TokenKind = 'word' | 'string' | 'number' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** Decoded value for strings; same as text otherwise. */
  value: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

export function positionOf(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < source.length; i += 1) {
    if (source[i] === '\n') {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  return { line, column };
}

function syntaxError(source: string, offset: number, message: string): KustoEngineError {
  const { line, column } = positionOf(source, offset);
  return KustoEngineError.syntax(`Syntax error at ${line}:${column}: ${message}`, { line, column });
}

const WORD_START = /[A-Za-z_$]/;
const WORD_PART = /[A-Za-z0-9_$]/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, start: number, end: number, value?: string): void => {
    const { line, column } = positionOf(source, start);
    const text = source.slice(start, end);
    tokens.push({ kind, text, value: value ?? text, start, end, line, column });
  };
  while (i < source.length) {
    const ch = source[i];
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (ch === '/' && source[i + 1] === '/') {
      while (i < source.length && source[i] !== '\n') {
        i += 1;
      }
      continue;
    }
    const start = i;
    if (source.startsWith('```', i)) {
      const close = source.indexOf('```', i + 3);
      if (close < 0) {
        throw syntaxError(source, start, 'multi-line string literal (```) is not closed.');
      }
      push('string', start, close + 3, source.slice(i + 3, close));
      i = close + 3;
      continue;
    }
    const verbatim = ch === '@' && (source[i + 1] === "'" || source[i + 1] === '"');
    const hidden = (ch === 'h' || ch === 'H') && (source[i + 1] === "'" || source[i + 1] === '"');
    if (ch === "'" || ch === '"' || verbatim || hidden) {
      const quoteAt = verbatim || hidden ? i + 1 : i;
      const quote = source[quoteAt];
      let j = quoteAt + 1;
      let value = '';
      for (;;) {
        if (j >= source.length || (!verbatim && source[j] === '\n')) {
          throw syntaxError(source, start, `string literal starting with ${quote} is not closed.`);
        }
        const c = source[j];
        if (verbatim) {
          if (c === quote) {
            if (source[j + 1] === quote) {
              value += quote;
              j += 2;
              continue;
            }
            break;
          }
          value += c;
          j += 1;
          continue;
        }
        if (c === '\\') {
          const next = source[j + 1];
          const escapes: Record<string, string> = {
            n: '\n',
            t: '\t',
            r: '\r',
            '\\': '\\',
            "'": "'",
            '"': '"',
            '0': '\0',
          };
          if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(j + 2, j + 6))) {
            value += String.fromCharCode(parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          value += escapes[next] ?? next;
          j += 2;
          continue;
        }
        if (c === quote) {
          break;
        }
        value += c;
        j += 1;
      }
      push('string', start, j + 1, value);
      i = j + 1;
      continue;
    }
    if (WORD_START.test(ch)) {
      let j = i + 1;
      // Command keywords contain dashes (`create-or-alter`, `set-or-append`); a dash followed by a letter
      // continues the word. Bodies are taken verbatim, so this never changes how KQL expressions read.
      while (
        j < source.length &&
        (WORD_PART.test(source[j]) || (source[j] === '-' && /[A-Za-z]/.test(source[j + 1] ?? '')))
      ) {
        j += 1;
      }
      push('word', start, j);
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < source.length && /[0-9.eE_a-zA-Z]/.test(source[j])) {
        j += 1;
      }
      push('number', start, j);
      i = j;
      continue;
    }
    if (ch === '<' && source[i + 1] === '|') {
      // Everything after `<|` is a query or inline data, taken verbatim by the parser; inline CSV may hold
      // unbalanced quotes, so it must not be tokenized.
      push('punct', start, i + 2);
      i = source.length;
      break;
    }
    push('punct', start, i + 1);
    i += 1;
  }
  push('eof', source.length, source.length, '');
  return tokens;
}
