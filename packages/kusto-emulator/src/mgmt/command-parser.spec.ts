import { describe, expect, it } from 'vitest';
import { parseControlCommand } from './command-parser.js';

function syntaxMessage(text: string): string {
  try {
    parseControlCommand(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a syntax error');
}

describe(parseControlCommand.name, () => {
  it('should parse .create table with bracketed names, type aliases and properties', () => {
    expect(
      parseControlCommand(
        ".create table ['My Table'] (a:int64, ['b c']:boolean) with (docstring='d', folder=\"f\")",
      ),
    ).toEqual({
      kind: 'createTable',
      mode: 'create',
      name: 'My Table',
      columns: [
        { name: 'a', type: 'long' },
        { name: 'b c', type: 'bool' },
      ],
      properties: { docstring: 'd', folder: 'f' },
      ifNotExists: false,
    });
  });

  it('should keep a function body verbatim, including braces inside strings', () => {
    const command = parseControlCommand(
      '.create-or-alter function with (folder="x") F(t:(*), n:long = 10, since:datetime = datetime(2024-01-01)) {\n  t | where s != "}" | take n\n}',
    );
    expect(command).toMatchObject({
      kind: 'createFunction',
      mode: 'create-or-alter',
      ifNotExists: false,
      name: 'F',
      parameters: [
        { name: 't', type: 'tabular' },
        { name: 'n', type: 'long', defaultValue: '10' },
        { name: 'since', type: 'datetime', defaultValue: 'datetime(2024-01-01)' },
      ],
      body: 't | where s != "}" | take n',
      properties: { folder: 'x' },
    });
  });

  it('should concatenate adjacent string literals of a mapping definition', () => {
    expect(
      parseControlCommand(
        `.create table T ingestion json mapping "m" '[' '{"column":"a","Properties":{"Path":"$.a"}}' ']'`,
      ),
    ).toEqual({
      kind: 'createMapping',
      mode: 'create',
      table: 'T',
      mappingKind: 'Json',
      name: 'm',
      mapping: '[{"column":"a","Properties":{"Path":"$.a"}}]',
    });
  });

  it('should take everything after <| verbatim, even unbalanced quotes', () => {
    expect(parseControlCommand(".ingest inline into table T with (format='csv') <|\nO'Brien,1\n")).toEqual({
      kind: 'ingestInline',
      table: 'T',
      properties: { format: 'csv' },
      data: "O'Brien,1",
    });
    expect(parseControlCommand('.set-or-append Out <| T | where s == "<|"')).toEqual({
      kind: 'appendFromQuery',
      mode: 'set-or-append',
      table: 'Out',
      properties: {},
      query: 'T | where s == "<|"',
    });
  });

  it('should parse verbatim update policies with doubled quotes', () => {
    expect(parseControlCommand(`.alter table T policy update @'[{"Query":"S | where k == ''x''"}]'`)).toEqual(
      {
        kind: 'alterUpdatePolicy',
        table: 'T',
        policy: `[{"Query":"S | where k == 'x'"}]`,
      },
    );
  });

  it('should name line and column of syntax errors', () => {
    expect(syntaxMessage('.create table T (a:string,\n b)')).toBe(
      "Syntax error at 2:3: expected ':' and the type of column 'b', found ')'.",
    );
    expect(syntaxMessage('.show table T policy 42')).toBe(
      "Syntax error at 1:22: expected a policy kind (update, streamingingestion, ingestionbatching, retention, merge, sharding, partitioning, caching), found '42'.",
    );
    expect(syntaxMessage('.create function F() { T | take 1')).toBe(
      "Syntax error at 1:34: expected '}' closing the '{' at 1:22, found end of command.",
    );
    expect(syntaxMessage(".create table T ingestion json mapping 'm' '[")).toBe(
      "Syntax error at 1:44: string literal starting with ' is not closed.",
    );
    expect(syntaxMessage('.drop table T extra')).toBe(
      "Syntax error at 1:15: expected end of command, found 'extra'.",
    );
  });

  it('should report unsupported commands by name', () => {
    expect(syntaxMessage('.purge table T records')).toBe(
      "Control command '.purge' is not supported by the embedded engine (at 1:2).",
    );
  });

  it('should parse .cancel query with its reason, and .show running queries', () => {
    expect(parseControlCommand('.cancel query "KE.RunQuery;8f70e9ab" with (reason = "too slow")')).toEqual({
      kind: 'cancelQuery',
      clientActivityId: 'KE.RunQuery;8f70e9ab',
      reason: 'too slow',
    });
    expect(parseControlCommand(".cancel query 'a\\\"b'")).toEqual({
      kind: 'cancelQuery',
      clientActivityId: 'a"b',
    });
    expect(parseControlCommand('.show running queries')).toEqual({ kind: 'showRunningQueries' });
    expect(syntaxMessage('.cancel query KE.RunQuery')).toBe(
      "Syntax error at 1:15: expected the ClientActivityId of the query to cancel, as a string literal, found 'KE'.",
    );
    expect(syntaxMessage('.cancel query "x" with (user = "y")')).toBe(
      "Syntax error at 1:25: expected 'reason' (the only property .cancel query takes), found 'user'.",
    );
  });

  it('should parse a function with a 1 MB body in linear time', { timeout: 60_000 }, () => {
    const body = '  | where s != "}" and n > 1 // a } too\n'.repeat(26_000);
    const command = parseControlCommand(`.create function F() {\nT\n${body}}`);
    expect(command).toMatchObject({ kind: 'createFunction', name: 'F', body: `T\n${body}`.trim() });
  });

  it('should decode string escapes as Kusto does, the same as the gateway', () => {
    expect(
      parseControlCommand(String.raw`.cancel query h'\x41\u00e9\a\101' with (reason = @'C:\t''s')`),
    ).toEqual({
      kind: 'cancelQuery',
      clientActivityId: 'A\u00e9\x07A',
      reason: "C:\\t's",
    });
    expect(syntaxMessage(String.raw`.cancel query 'a\qb'`)).toBe(
      "Syntax error at 1:17: '\\q' is not a valid escape sequence in a string literal.",
    );
  });
});
