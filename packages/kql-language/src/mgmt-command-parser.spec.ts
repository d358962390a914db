import { describe, expect, it } from 'vitest';
import { ManagementCommandError } from './mgmt-command-error.js';
import { parseManagementCommand } from './mgmt-command-parser.js';

/** Lines of a function body, each with a string, a brace inside it and a comment: about 40 bytes a line. */
function longBody(bytes: number): string {
  const line = '  | where s != "}" and n > 1 // a } too\n';
  return line.repeat(Math.ceil(bytes / line.length));
}

function errorOf(text: string): ManagementCommandError {
  try {
    parseManagementCommand(text);
  } catch (error) {
    if (error instanceof ManagementCommandError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a ManagementCommandError');
}

describe('parseManagementCommand', () => {
  // Line and column used to be computed for every token from the start of the command (quadratic): a command
  // this long did not finish. The bound is only a generous sanity limit; the speed is in the kusto-engine bench.
  it('should parse a .create function with a huge body in linear time', { timeout: 60_000 }, () => {
    const body = longBody(5 * 1024 * 1024);
    const command = parseManagementCommand(`.create function F(n: long = 1) {\nT\n${body}}`);
    expect(command).toMatchObject({ kind: 'createFunction', name: 'F', parameters: [{ name: 'n' }] });
    if (command.kind !== 'createFunction') {
      throw new Error('not a function');
    }
    expect(command.body.length).toBe(`T\n${body}`.trim().length);
  });

  it('should take a 5 MB .ingest inline body verbatim', { timeout: 60_000 }, () => {
    const data = 'a,"b ""c""",\'d\n'.repeat(400_000);
    const command = parseManagementCommand(`.ingest inline into table T with (format='csv') <|\n${data}`);
    expect(command).toMatchObject({ kind: 'ingestInline', table: 'T', properties: { format: 'csv' } });
    expect(command.kind === 'ingestInline' && command.data === data).toBe(true);
  });

  it('should place an error at the end of a long command at its line and column', { timeout: 60_000 }, () => {
    const body = longBody(1024 * 1024);
    const lines = `.create function F() {\n${body}`.split('\n').length;
    const error = errorOf(`.create function F() {\n${body}  | take 1`);
    expect(error).toMatchObject({ code: 'syntax', line: lines, column: 11 });
    expect(error.message).toBe(
      `Syntax error at ${lines}:11: expected '}' closing the '{' at 1:22, found end of command.`,
    );
  });

  it('should decode the string literals of a command by the KQL rules', () => {
    expect(
      parseManagementCommand(
        String.raw`.create table T ingestion csv mapping h'm\x41p' '[{"Column":"a",' @'"Properties":{"Ordinal":"0"}}'` +
          ' ```]```',
      ),
    ).toMatchObject({
      kind: 'createMapping',
      name: 'mAp',
      mapping: '[{"Column":"a","Properties":{"Ordinal":"0"}}]',
    });
  });

  it('should say which escape is invalid, where', () => {
    expect(errorOf(String.raw`.cancel query 'a\qb'`).message).toBe(
      "Syntax error at 1:17: '\\q' is not a valid escape sequence in a string literal.",
    );
  });

  it('should keep the spans of a function definition', () => {
    const text = '.create-or-alter function with (folder = "f")\nTop(n: long = 5, T: (*)) {\n  T | take n\n}';
    const command = parseManagementCommand(text);
    if (command.kind !== 'createFunction') {
      throw new Error('not a function');
    }
    const { spans } = command;
    expect(text.slice(spans.name, spans.name + 3)).toBe('Top');
    expect(spans.parameterList.text).toBe('n: long = 5, T: (*)');
    expect(spans.parameters.map((offset) => text[offset])).toEqual(['n', 'T']);
    expect(text.slice(spans.body.offset, spans.body.offset + spans.body.text.length)).toBe(
      '\n  T | take n\n',
    );
    expect(command.body).toBe('T | take n');
  });

  it('should refuse unsupported commands with the notSupported code', () => {
    expect(errorOf('.purge table T records')).toMatchObject({
      code: 'notSupported',
      message: "Control command '.purge' is not supported (at 1:2).",
    });
  });

  it('should read policy commands on tables, qualified tables and databases', () => {
    expect(parseManagementCommand('.alter table T policy streamingingestion enable')).toEqual({
      kind: 'alterPolicy',
      entity: { kind: 'table', name: 'T' },
      policy: 'streamingingestion',
      merge: false,
      value: { kind: 'enabled', enabled: true },
    });
    expect(
      parseManagementCommand(
        `.alter-merge table Db.T policy ingestionbatching @'{"MaximumNumberOfItems": 5}'`,
      ),
    ).toEqual({
      kind: 'alterPolicy',
      entity: { kind: 'table', name: 'T', database: 'Db' },
      policy: 'ingestionbatching',
      merge: true,
      value: { kind: 'json', text: '{"MaximumNumberOfItems": 5}' },
    });
    expect(parseManagementCommand('.show database Db policy retention')).toEqual({
      kind: 'showPolicy',
      entity: { kind: 'database', name: 'Db' },
      policy: 'retention',
    });
    expect(parseManagementCommand(".refresh database 'Db' table 'T' cache ingestionbatchingpolicy")).toEqual({
      kind: 'refreshIngestionBatchingPolicyCache',
      database: 'Db',
      table: 'T',
    });
    expect(parseManagementCommand('.clear database cache streamingingestion schema')).toEqual({
      kind: 'clearStreamingIngestionSchemaCache',
    });
    expect(errorOf('.alter table T policy retention softdelete = 10d')).toMatchObject({
      code: 'notSupported',
    });
  });

  it('should keep the query operators after a .show command verbatim', () => {
    expect(parseManagementCommand(".show tables | where TableName != '|' | count")).toEqual({
      kind: 'pipedCommand',
      command: { kind: 'showTables' },
      operators: "| where TableName != '|' | count",
    });
    expect(errorOf('.drop table T | count').message).toBe(
      "Syntax error at 1:15: expected end of command, found '|'.",
    );
  });

  describe('external tables', () => {
    it('should parse .create external table as the ADX reference writes it', () => {
      const command = parseManagementCommand(
        ".create external table Fx (Currency: string, Rate: real) kind=storage dataformat=parquet ( h@'https://a.blob.core.windows.net/c/fx;KEY' ) with (folder='ref', docstring='rates')",
      );
      expect(command).toEqual({
        kind: 'createExternalTable',
        mode: 'create',
        name: 'Fx',
        columns: [
          { name: 'Currency', type: 'string' },
          { name: 'Rate', type: 'real' },
        ],
        dataFormat: 'parquet',
        connectionStrings: ['https://a.blob.core.windows.net/c/fx;KEY'],
        properties: { folder: 'ref', docstring: 'rates' },
      });
    });

    it('should parse drop and the show commands', () => {
      expect(parseManagementCommand('.drop external table Fx ifexists')).toEqual({
        kind: 'dropExternalTable',
        name: 'Fx',
        ifExists: true,
      });
      expect(parseManagementCommand('.show external tables')).toEqual({ kind: 'showExternalTables' });
      expect(parseManagementCommand('.show external table Fx')).toEqual({
        kind: 'showExternalTable',
        name: 'Fx',
      });
      expect(parseManagementCommand('.show external table Fx cslschema')).toEqual({
        kind: 'showExternalTableSchema',
        name: 'Fx',
        format: 'csl',
      });
    });

    it('should refuse partitions and unknown formats by name', () => {
      expect(
        errorOf(
          ".create external table T (a: int) kind=storage partition by (p: string) dataformat=csv ('x')",
        ).message,
      ).toContain("The 'partition' clause of external tables is not supported");
      expect(
        errorOf(".create external table T (a: int) kind=storage dataformat=avro ('x')").message,
      ).toContain("External data format 'avro' is not supported");
    });
  });
});
