/**
 * Recursive-descent parser for the control commands the engine supports (see `control-command.ts`).
 * Errors name `line:column` of the offending token and say what was expected there.
 */
import type { ColumnSchema, FunctionParameterSchema } from '../compiler/compiler-types.js';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { normalizeKustoType } from '../schema/kusto-types.js';
import type { MappingKind } from '../storage/catalog-types.js';
import type {
  AppendMode,
  ControlCommand,
  FunctionMode,
  MappingMode,
  TableSchemaMode,
} from './control-command.js';
import { tokenize, type Token } from './command-lexer.js';

const MAPPING_KINDS: Record<string, MappingKind> = { json: 'Json', csv: 'Csv' };

class CommandParser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parse(): ControlCommand {
    this.expectPunct('.', 'a control command starting with "."');
    const verb = this.expectWord('a command verb such as create, show, drop or ingest');
    const command = this.parseVerb(verb);
    if (this.peek().kind !== 'eof') {
      throw this.error(this.peek(), 'end of command');
    }
    return command;
  }

  private parseVerb(verb: Token): ControlCommand {
    switch (verb.value.toLowerCase()) {
      case 'create':
      case 'create-or-alter':
      case 'create-merge':
      case 'alter':
      case 'alter-merge':
        return this.parseCreateOrAlter(verb.value.toLowerCase());
      case 'drop':
        return this.parseDrop();
      case 'delete':
        return this.parseDelete();
      case 'show':
        return this.parseShow();
      case 'clear': {
        this.expectKeyword('table');
        const name = this.parseName('a table name');
        this.expectKeyword('data');
        return { kind: 'clearTableData', name };
      }
      case 'set':
      case 'append':
      case 'set-or-append':
      case 'set-or-replace':
        return this.parseAppend(verb.value.toLowerCase() as AppendMode);
      case 'ingest':
        return this.parseIngest();
      case 'get': {
        this.expectKeyword('ingestion');
        this.expectKeyword('resources');
        return { kind: 'getIngestionResources' };
      }
      case 'cancel':
        return this.parseCancelQuery();
      default:
        throw KustoEngineError.notSupported(
          `Control command '.${verb.value}' is not supported by the embedded engine (at ${verb.line}:${verb.column}).`,
          { line: verb.line, column: verb.column },
        );
    }
  }

  private parseCreateOrAlter(verb: string): ControlCommand {
    const what = this.expectWord('database, table or function');
    switch (what.value.toLowerCase()) {
      case 'database': {
        this.requireVerb(verb, ['create'], what);
        const name = this.parseName('a database name');
        let ifNotExists = false;
        while (this.peek().kind === 'word') {
          const option = this.next().value.toLowerCase();
          if (option === 'ifnotexists') {
            ifNotExists = true;
          } else if (option === 'persist' || option === 'volatile') {
            if (this.peekPunct('(')) {
              this.skipBalanced();
            }
          } else {
            throw this.error(this.tokens[this.index - 1], 'ifnotexists, persist or volatile');
          }
        }
        return { kind: 'createDatabase', name, ifNotExists };
      }
      case 'table':
        return this.parseTableCommand(verb);
      case 'function':
        this.requireVerb(verb, ['create', 'create-or-alter', 'alter'], what);
        return this.parseFunction(verb as FunctionMode);
      default:
        throw this.error(what, 'database, table or function');
    }
  }

  private parseTableCommand(verb: string): ControlCommand {
    const nameToken = this.peek();
    const name = this.parseName('a table name');
    if (this.peekKeyword('ingestion')) {
      this.next();
      const mappingKind = this.parseMappingKind();
      this.expectKeyword('mapping');
      const mappingName = this.expectString('the mapping name as a string literal');
      const mapping = this.expectString('the mapping definition as a string literal', true);
      if (this.peekKeyword('with')) {
        this.next();
        this.parseProperties();
      }
      this.requireVerb(verb, ['create', 'create-or-alter', 'alter'], nameToken);
      return {
        kind: 'createMapping',
        mode: verb as MappingMode,
        table: name,
        mappingKind,
        name: mappingName.value,
        mapping: mapping.value,
      };
    }
    if (this.peekKeyword('policy')) {
      this.next();
      this.expectKeyword('update');
      const policy = this.expectString('the update policy as a string literal', true);
      this.requireVerb(verb, ['alter'], nameToken);
      return { kind: 'alterUpdatePolicy', table: name, policy: policy.value };
    }
    this.requireVerb(verb, ['create', 'create-merge', 'alter-merge', 'alter'], nameToken);
    const columns = this.parseColumns();
    let properties: Record<string, string> = {};
    if (this.peekKeyword('with')) {
      this.next();
      properties = this.parseProperties();
    }
    let ifNotExists = false;
    if (this.peekKeyword('ifnotexists')) {
      this.next();
      ifNotExists = true;
    }
    return { kind: 'createTable', mode: verb as TableSchemaMode, name, columns, properties, ifNotExists };
  }

  private parseFunction(mode: FunctionMode): ControlCommand {
    let ifNotExists = false;
    let properties: Record<string, string> = {};
    for (;;) {
      if (this.peekKeyword('ifnotexists')) {
        this.next();
        ifNotExists = true;
      } else if (this.peekKeyword('with')) {
        this.next();
        properties = this.parseProperties();
      } else {
        break;
      }
    }
    const name = this.parseName('a function name');
    const parameters = this.parseFunctionParameters();
    const open = this.expectPunct('{', 'the function body in { }');
    const close = this.skipBalanced(open);
    const body = this.source.slice(open.end, close.start).trim();
    if (body === '') {
      throw this.error(close, 'a non-empty function body');
    }
    return { kind: 'createFunction', mode, ifNotExists, name, parameters, body, properties };
  }

  private parseFunctionParameters(): FunctionParameterSchema[] {
    this.expectPunct('(', 'the parameter list in ( )');
    const parameters: FunctionParameterSchema[] = [];
    if (this.peekPunct(')')) {
      this.next();
      return parameters;
    }
    for (;;) {
      const name = this.parseName('a parameter name');
      this.expectPunct(':', `':' and the type of parameter '${name}'`);
      let type: FunctionParameterSchema['type'];
      if (this.peekPunct('(')) {
        this.skipBalanced();
        type = 'tabular';
      } else {
        const typeToken = this.expectWord('a parameter type');
        const normalized = normalizeKustoType(typeToken.value);
        if (!normalized) {
          throw this.error(
            typeToken,
            'a scalar type (bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic)',
          );
        }
        type = normalized;
      }
      const parameter: FunctionParameterSchema = { name, type };
      if (this.peekPunct('=')) {
        const equals = this.next();
        let depth = 0;
        let last = equals;
        while (this.peek().kind !== 'eof') {
          const token = this.peek();
          if (token.kind === 'punct' && depth === 0 && (token.value === ',' || token.value === ')')) {
            break;
          }
          if (token.kind === 'punct' && (token.value === '(' || token.value === '[')) {
            depth += 1;
          } else if (token.kind === 'punct' && (token.value === ')' || token.value === ']')) {
            depth -= 1;
          }
          last = this.next();
        }
        if (last === equals) {
          throw this.error(this.peek(), `a default value for parameter '${name}'`);
        }
        parameter.defaultValue = this.source.slice(equals.end, last.end).trim();
      }
      parameters.push(parameter);
      const separator = this.expectPunct([',', ')'], "',' or ')' in the parameter list");
      if (separator.value === ')') {
        return parameters;
      }
    }
  }

  private parseColumns(): ColumnSchema[] {
    this.expectPunct('(', 'the column list in ( )');
    const columns: ColumnSchema[] = [];
    for (;;) {
      const name = this.parseName('a column name');
      this.expectPunct(':', `':' and the type of column '${name}'`);
      const typeToken = this.expectWord('a column type');
      const type = normalizeKustoType(typeToken.value);
      if (!type) {
        throw this.error(
          typeToken,
          'a scalar type (bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic)',
        );
      }
      columns.push({ name, type });
      const separator = this.expectPunct([',', ')'], "',' or ')' in the column list");
      if (separator.value === ')') {
        return columns;
      }
    }
  }

  private parseDrop(): ControlCommand {
    const what = this.expectWord('table or function');
    switch (what.value.toLowerCase()) {
      case 'table': {
        const name = this.parseName('a table name');
        if (this.peekKeyword('ingestion')) {
          this.next();
          const mappingKind = this.parseMappingKind();
          this.expectKeyword('mapping');
          const mappingName = this.expectString('the mapping name as a string literal');
          return { kind: 'dropMapping', table: name, mappingKind, name: mappingName.value };
        }
        return { kind: 'dropTable', name, ifExists: this.parseIfExists() };
      }
      case 'function': {
        const name = this.parseName('a function name');
        return { kind: 'dropFunction', name, ifExists: this.parseIfExists() };
      }
      default:
        throw this.error(what, 'table or function');
    }
  }

  private parseDelete(): ControlCommand {
    this.expectKeyword('table');
    const table = this.parseName('a table name');
    this.expectKeyword('policy');
    this.expectKeyword('update');
    return { kind: 'deleteUpdatePolicy', table };
  }

  /** `.cancel query "<ClientActivityId>" [with (reason = "<ReasonPhrase>")]`, as ADX documents it. */
  private parseCancelQuery(): ControlCommand {
    this.expectKeyword('query');
    const id = this.expectString('the ClientActivityId of the query to cancel, as a string literal');
    let reason: string | undefined;
    if (this.peekKeyword('with')) {
      this.next();
      const properties = this.parseProperties();
      for (const [key, value] of Object.entries(properties)) {
        if (key.toLowerCase() !== 'reason') {
          throw KustoEngineError.syntax(
            `Syntax error: .cancel query takes only the 'reason' property; found '${key}'.`,
          );
        }
        reason = value;
      }
    }
    return { kind: 'cancelQuery', clientActivityId: id.value, ...(reason === undefined ? {} : { reason }) };
  }

  private parseShow(): ControlCommand {
    const what = this.expectWord(
      'what to show (tables, table, functions, function, databases, version, cluster, running queries)',
    );
    switch (what.value.toLowerCase()) {
      case 'running':
        this.expectKeyword('queries');
        return { kind: 'showRunningQueries' };
      case 'tables':
        return { kind: 'showTables' };
      case 'functions':
        return { kind: 'showFunctions' };
      case 'function':
        return { kind: 'showFunction', name: this.parseName('a function name') };
      case 'databases':
        return { kind: 'showDatabases' };
      case 'database':
        return { kind: 'showDatabase' };
      case 'version':
        return { kind: 'showVersion' };
      case 'cluster':
        return { kind: 'showCluster' };
      case 'table':
        return this.parseShowTable();
      default:
        throw this.error(
          what,
          'tables, table, functions, function, databases, database, version, cluster or running queries',
        );
    }
  }

  private parseShowTable(): ControlCommand {
    const name = this.parseName('a table name');
    if (this.peek().kind === 'eof') {
      return { kind: 'showTable', name };
    }
    const what = this.expectWord('schema, cslschema, details, ingestion or policy');
    switch (what.value.toLowerCase()) {
      case 'details':
        return { kind: 'showTableDetails', name };
      case 'schema':
        this.expectKeyword('as');
        this.expectKeyword('json');
        return { kind: 'showTableSchema', name, format: 'json' };
      case 'cslschema':
        return { kind: 'showTableSchema', name, format: 'csl' };
      case 'ingestion': {
        let mappingKind: MappingKind | undefined;
        if (!this.peekKeyword('mappings')) {
          mappingKind = this.parseMappingKind();
        }
        this.expectKeyword('mappings');
        return { kind: 'showMappings', table: name, mappingKind };
      }
      case 'policy':
        this.expectKeyword('update');
        return { kind: 'showUpdatePolicy', table: name };
      default:
        throw this.error(what, 'schema as json, cslschema, details, ingestion mappings or policy update');
    }
  }

  private parseAppend(mode: AppendMode): ControlCommand {
    if (this.peekKeyword('async')) {
      throw KustoEngineError.notSupported(
        `'.${mode} async' is not supported by the embedded engine; omit 'async'.`,
      );
    }
    const table = this.parseName('a table name');
    let properties: Record<string, string> = {};
    if (this.peekKeyword('with')) {
      this.next();
      properties = this.parseProperties();
    }
    const pipe = this.expectPunct('<|', "'<|' followed by a query");
    const query = this.source.slice(pipe.end).trim();
    if (query === '') {
      throw this.error(this.peek(), 'a query after <|');
    }
    return { kind: 'appendFromQuery', mode, table, properties, query };
  }

  private parseIngest(): ControlCommand {
    const inline = this.expectWord('inline');
    if (inline.value.toLowerCase() !== 'inline') {
      throw KustoEngineError.notSupported(
        `Only '.ingest inline' is supported by the embedded engine; ingestion from storage URLs is not (at ${inline.line}:${inline.column}).`,
      );
    }
    this.expectKeyword('into');
    this.expectKeyword('table');
    const table = this.parseName('a table name');
    let properties: Record<string, string> = {};
    if (this.peekKeyword('with')) {
      this.next();
      properties = this.parseProperties();
    }
    const pipe = this.expectPunct('<|', "'<|' followed by the data");
    const data = this.source.slice(pipe.end).replace(/^[ \t]*\r?\n?/, '');
    return { kind: 'ingestInline', table, properties, data };
  }

  /** `with (name = value, …)`; values are literals or bare words, kept as their decoded text. */
  private parseProperties(): Record<string, string> {
    this.expectPunct('(', "'(' opening the property list");
    const properties: Record<string, string> = {};
    if (this.peekPunct(')')) {
      this.next();
      return properties;
    }
    for (;;) {
      const key = this.expectWord('a property name');
      this.expectPunct('=', `'=' after property '${key.value}'`);
      const value = this.next();
      if (value.kind === 'eof' || (value.kind === 'punct' && value.value !== '-')) {
        throw this.error(value, `a value for property '${key.value}'`);
      }
      let text = value.value;
      if (value.kind === 'punct') {
        text += this.next().value;
      } else if (value.kind === 'word' && this.peekPunct('(')) {
        // Typed literal such as datetime(2024-01-01): keep its source text.
        const close = this.skipBalanced();
        text = this.source.slice(value.start, close.end);
      }
      properties[key.value] = text;
      const separator = this.expectPunct([',', ')'], "',' or ')' in the property list");
      if (separator.value === ')') {
        return properties;
      }
    }
  }

  private parseMappingKind(): MappingKind {
    const token = this.expectWord('a mapping kind (json or csv)');
    const kind = MAPPING_KINDS[token.value.toLowerCase()];
    if (!kind) {
      throw KustoEngineError.notSupported(
        `Ingestion mapping kind '${token.value}' is not supported by the embedded engine (at ${token.line}:${token.column}); use json or csv.`,
      );
    }
    return kind;
  }

  private parseIfExists(): boolean {
    if (this.peekKeyword('ifexists')) {
      this.next();
      return true;
    }
    return false;
  }

  /** Entity names: `Name`, `['Name with spaces']` or `["Name"]`. */
  private parseName(expected: string): string {
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
  private skipBalanced(openToken?: Token): Token {
    const open = openToken ?? this.next();
    const pairs: Record<string, string> = { '(': ')', '{': '}', '[': ']' };
    const stack = [pairs[open.value]];
    while (stack.length > 0) {
      const token = this.next();
      if (token.kind === 'eof') {
        throw this.error(
          token,
          `'${stack[stack.length - 1]}' closing the '${open.value}' at ${open.line}:${open.column}`,
        );
      }
      if (token.kind !== 'punct') {
        continue;
      }
      if (pairs[token.value]) {
        stack.push(pairs[token.value]);
      } else if (token.value === stack[stack.length - 1]) {
        stack.pop();
        if (stack.length === 0) {
          return token;
        }
      } else if (token.value === ')' || token.value === '}' || token.value === ']') {
        throw this.error(token, `'${stack[stack.length - 1]}'`);
      }
    }
    throw this.error(this.peek(), 'a closing bracket');
  }

  private requireVerb(verb: string, allowed: string[], at: Token): void {
    if (!allowed.includes(verb)) {
      throw KustoEngineError.syntax(
        `Syntax error at ${at.line}:${at.column}: '.${verb}' cannot be used here; expected one of ${allowed.map((a) => `.${a}`).join(', ')}.`,
        { line: at.line, column: at.column },
      );
    }
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'eof') {
      this.index += 1;
    }
    return token;
  }

  private peekKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'word' && token.value.toLowerCase() === word;
  }

  private peekPunct(value: string): boolean {
    const token = this.peek();
    return token.kind === 'punct' && token.value === value;
  }

  private expectKeyword(word: string): Token {
    const token = this.peek();
    if (token.kind !== 'word' || token.value.toLowerCase() !== word) {
      throw this.error(token, `'${word}'`);
    }
    return this.next();
  }

  private expectWord(expected: string): Token {
    const token = this.peek();
    if (token.kind !== 'word') {
      throw this.error(token, expected);
    }
    return this.next();
  }

  /** A string literal; for definitions, adjacent literals concatenate (`'[' '{…},' ']'`) as Kusto allows. */
  private expectString(expected: string, concatenate = false): Token {
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
    return { ...first, value, end, text: this.source.slice(first.start, end) };
  }

  private expectPunct(values: string | string[], expected: string): Token {
    const token = this.peek();
    const allowed = Array.isArray(values) ? values : [values];
    if (token.kind !== 'punct' || !allowed.includes(token.value)) {
      throw this.error(token, expected);
    }
    return this.next();
  }

  private error(token: Token, expected: string): KustoEngineError {
    const found = token.kind === 'eof' ? 'end of command' : `'${token.text}'`;
    return KustoEngineError.syntax(
      `Syntax error at ${token.line}:${token.column}: expected ${expected}, found ${found}.`,
      {
        line: token.line,
        column: token.column,
      },
    );
  }
}

export function parseControlCommand(text: string): ControlCommand {
  return new CommandParser(text.trim()).parse();
}
