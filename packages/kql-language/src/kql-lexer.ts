/**
 * The few lexical rules kqlgate needs to cut `.kql` scripts into commands and commands into their parts without a
 * full grammar: string literals (`'…'`, `"…"` with backslash escapes, verbatim `@'…'`/`@"…"` with doubled quotes,
 * and multi-line ```` ```…``` ````), `//` comments, and bracket nesting. Everything semantic is left to
 * Kusto.Language (see function-analyzer.ts).
 */

/** Index just past the string literal starting at `i`, or -1 when no string literal starts there. */
export function skipString(text: string, i: number): number {
  const c = text[i];
  if (c === '`' && text.startsWith('```', i)) {
    const end = text.indexOf('```', i + 3);
    return end < 0 ? text.length : end + 3;
  }
  if ((c === '@' || c === 'h' || c === 'H') && (text[i + 1] === "'" || text[i + 1] === '"')) {
    if (c === '@') {
      return skipVerbatim(text, i + 1);
    }
    // h'…' obfuscated literals only count when `h` is not the end of an identifier.
    if (i === 0 || !/[A-Za-z0-9_]/.test(text[i - 1])) {
      return skipQuoted(text, i + 1);
    }
    return -1;
  }
  if (c === "'" || c === '"') {
    return skipQuoted(text, i);
  }
  return -1;
}

function skipQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === quote || c === '\n') {
      return i + 1;
    }
  }
  return text.length;
}

function skipVerbatim(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  return text.length;
}

/** Index just past a `//` comment starting at `i` (at its newline), or -1. */
export function skipComment(text: string, i: number): number {
  if (text[i] === '/' && text[i + 1] === '/') {
    const end = text.indexOf('\n', i);
    return end < 0 ? text.length : end;
  }
  return -1;
}

/** First index at or after `i` that is neither whitespace nor inside a comment. */
export function skipTrivia(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) {
      i++;
    }
    const afterComment = skipComment(text, i);
    if (afterComment < 0) {
      return i;
    }
    i = afterComment;
  }
}

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the bracket closing the one at `open`, skipping strings and comments; -1 when unbalanced. */
export function findClosingBracket(text: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const afterString = skipString(text, i);
    if (afterString >= 0) {
      i = afterString - 1;
      continue;
    }
    const afterComment = skipComment(text, i);
    if (afterComment >= 0) {
      i = afterComment - 1;
      continue;
    }
    const c = text[i];
    if (CLOSERS[c]) {
      stack.push(CLOSERS[c]);
    } else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) {
        return -1;
      }
      if (stack.length === 0) {
        return i;
      }
    }
  }
  return -1;
}

/** Splits `text` at top-level commas (outside strings, comments and brackets), keeping each part's offset. */
export function splitTopLevel(text: string, separator = ','): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const afterString = skipString(text, i);
    if (afterString >= 0) {
      i = afterString - 1;
      continue;
    }
    const afterComment = skipComment(text, i);
    if (afterComment >= 0) {
      i = afterComment - 1;
      continue;
    }
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
    } else if (c === separator && depth === 0) {
      parts.push({ text: text.slice(start, i), offset: start });
      start = i + 1;
    }
  }
  parts.push({ text: text.slice(start), offset: start });
  return parts;
}

/** The value of a KQL string literal (`'a\'b'`, `@'c:\x'`, `"…"`, ```` ```…``` ````). */
export function unquoteString(literal: string): string {
  const text = literal.trim();
  if (text.startsWith('```')) {
    return text.slice(3, -3);
  }
  if (text.startsWith('@')) {
    const quote = text[1];
    return text
      .slice(2, -1)
      .split(quote + quote)
      .join(quote);
  }
  const body = /^[hH]['"]/.test(text) ? text.slice(2, -1) : text.slice(1, -1);
  return body.replace(/\\(.)/g, (_, ch: string) => ESCAPES[ch] ?? ch);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };
