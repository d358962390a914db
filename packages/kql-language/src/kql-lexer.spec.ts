import { describe, expect, it } from 'vitest';
import { scanStringLiteral, skipString, tokenize } from './kql-lexer.js';

function valueOf(literal: string): string {
  const scan = scanStringLiteral(literal, 0);
  if (!scan?.ok || scan.end !== literal.length) {
    throw new Error(`not one valid literal: ${literal} (${scan && !scan.ok ? scan.problem : 'no literal'})`);
  }
  return scan.value;
}

function problemOf(literal: string): string | undefined {
  const scan = scanStringLiteral(literal, 0);
  return scan && !scan.ok ? scan.problem : undefined;
}

describe('scanStringLiteral', () => {
  it('should decode every escape of quoted literals as Kusto does', () => {
    expect(valueOf(String.raw`'it\'s "x" \\ \t\n\r'`)).toBe('it\'s "x" \\ \t\n\r');
    expect(valueOf(String.raw`"say \"hi\" it's"`)).toBe('say "hi" it\'s');
    expect(valueOf(String.raw`'\a\b\f\v'`)).toBe('\x07\b\f\v');
    expect(valueOf(String.raw`'\u00e9\x41\U0001F600'`)).toBe('éA😀');
    expect(valueOf(String.raw`'\101\0\477'`)).toBe('A\0\x277');
  });

  it('should refuse unknown escapes and raw line breaks in quoted literals', () => {
    expect(problemOf(String.raw`'a\qb'`)).toBe("'\\q' is not a valid escape sequence in a string literal.");
    expect(problemOf(String.raw`'\u12'`)).toBe("'\\u' is not a valid escape sequence in a string literal.");
    expect(problemOf("'a\nb'")).toBe(
      "string literal starting with ' is not closed before the end of the line (use ```…``` for a multi-line literal).",
    );
    expect(problemOf("'abc")).toBe("string literal starting with ' is not closed.");
  });

  it('should read verbatim literals with doubled quotes and literal backslashes', () => {
    expect(valueOf(String.raw`@'C:\temp\'`)).toBe('C:\\temp\\');
    expect(valueOf(`@'it''s'`)).toBe("it's");
    expect(valueOf(`@"say ""hi"""`)).toBe('say "hi"');
    expect(problemOf("@'a\nb'")).toMatch(
      /^string literal starting with ' is not closed before the end of the line/,
    );
  });

  it('should read multi-line literals without escapes, with either fence', () => {
    expect(valueOf('```a\n\\n\'"\n```')).toBe('a\n\\n\'"\n');
    expect(valueOf('~~~x```y~~~')).toBe('x```y');
    expect(problemOf('```abc')).toBe('multi-line string literal (```) is not closed.');
  });

  it('should read obfuscated literals of every form to the same value', () => {
    expect(valueOf(String.raw`h'sec\'ret'`)).toBe("sec'ret");
    expect(valueOf(`H"secret"`)).toBe('secret');
    expect(valueOf(String.raw`h@'C:\secret'`)).toBe('C:\\secret');
    expect(scanStringLiteral("path'x'", 3)).toBeUndefined();
  });
});

describe('skipString', () => {
  it('should stop an invalid literal where the problem is, so scripts still split', () => {
    expect(skipString("'a\nb'", 0)).toBe(2);
    expect(skipString('x', 0)).toBe(-1);
  });
});

describe('tokenize', () => {
  it('should give offsets only, skip comments and stop at <|', () => {
    expect(tokenize(".show tables // all\n| count <| 'x")).toEqual([
      { kind: 'punct', value: '.', start: 0, end: 1 },
      { kind: 'word', value: 'show', start: 1, end: 5 },
      { kind: 'word', value: 'tables', start: 6, end: 12 },
      { kind: 'punct', value: '|', start: 20, end: 21 },
      { kind: 'word', value: 'count', start: 22, end: 27 },
      { kind: 'punct', value: '<|', start: 28, end: 30 },
      { kind: 'eof', value: '', start: 33, end: 33 },
    ]);
  });
});
