/**
 * The one recursive-descent parser for Kusto management commands (see mgmt-command.ts for what it yields), used by
 * the engine to execute them and by the gateway to read `.kql` scripts. Errors name what was expected at the
 * offending token and where it is (`line:column`, computed only then).
 */
import type { Token } from './kql-lexer.js';
import { normalizeScalarType } from './kql-scalar-types.js';
import { TokenCursor } from './token-cursor.js';
import {
  EXTERNAL_DATA_FORMATS,
  INGESTION_MAPPING_KINDS,
  POLICY_KINDS,
  type AppendMode,
  type ColumnDefinition,
  type ExternalDataFormat,
  type ExternalTableMode,
  type FunctionMode,
  type FunctionParameterDefinition,
  type IngestionMappingKind,
  type MappingMode,
  type ManagementCommand,
  type PolicyEntity,
  type PolicyKind,
  type TableSchemaMode,
} from './mgmt-command.js';

const MAPPING_KINDS = new Map<string, IngestionMappingKind>(
  INGESTION_MAPPING_KINDS.map((kind) => [kind.toLowerCase(), kind]),
);
const SCALAR_TYPES =
  'a scalar type (bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic)';

class ManagementCommandParser extends TokenCursor {
  parse(): ManagementCommand {
    this.expectPunct('.', 'a control command starting with "."');
    const verb = this.expectWord('a command verb such as create, show, drop or ingest');
    let command = this.parseVerb(verb);
    if (verb.value.toLowerCase() === 'show' && this.peekPunct('|')) {
      // Query operators over the command's result, run by the engine's query compiler.
      command = { kind: 'pipedCommand', command, operators: this.source.slice(this.peek().start) };
      this.index = this.tokens.length - 1;
    }
    if (this.peek().kind !== 'eof') {
      throw this.error(this.peek(), 'end of command');
    }
    return command;
  }

  private parseVerb(verb: Token): ManagementCommand {
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
      case 'clear':
        return this.parseClear();
      case 'refresh':
        return this.parseRefresh();
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
        throw this.unsupported(verb, `Control command '.${verb.value}'`);
    }
  }

  private parseCreateOrAlter(verb: string): ManagementCommand {
    const what = this.expectWord('database, table or function');
    switch (what.value.toLowerCase()) {
      case 'database': {
        if (verb === 'alter' || verb === 'alter-merge') {
          const name = this.parseName('a database name');
          this.expectKeyword('policy');
          return this.parseAlterPolicy(verb, { kind: 'database', name }, this.parsePolicyKind(false));
        }
        this.requireVerb(verb, ['create'], what);
        const name = this.parseName('a database name');
        let ifNotExists = false;
        while (this.peek().kind === 'word') {
          const option = this.next();
          switch (option.value.toLowerCase()) {
            case 'ifnotexists':
              ifNotExists = true;
              break;
            case 'persist':
            case 'volatile':
              if (this.peekPunct('(')) {
                this.skipBalanced();
              }
              break;
            default:
              throw this.error(option, 'ifnotexists, persist or volatile');
          }
        }
        return { kind: 'createDatabase', name, ifNotExists };
      }
      case 'table':
        return this.parseTableCommand(verb);
      case 'external':
        this.requireVerb(verb, ['create', 'create-or-alter', 'alter'], what);
        this.expectKeyword('table');
        return this.parseExternalTable(verb as ExternalTableMode);
      case 'function':
        this.requireVerb(verb, ['create', 'create-or-alter', 'alter'], what);
        return this.parseFunction(verb as FunctionMode);
      default:
        throw this.error(what, 'database, table or function');
    }
  }

  private parseTableCommand(verb: string): ManagementCommand {
    const nameToken = this.peek();
    const entity = this.parseTableEntity();
    const { name } = entity;
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
      const kind = this.parsePolicyKind(true);
      if (kind === 'update') {
        const policy = this.expectString('the update policy as a string literal', true);
        this.requireVerb(verb, ['alter'], nameToken);
        return { kind: 'alterUpdatePolicy', table: name, policy: policy.value };
      }
      this.requireVerb(verb, ['alter', 'alter-merge'], nameToken);
      return this.parseAlterPolicy(verb, entity, kind);
    }
    if (entity.database !== undefined) {
      throw this.error(
        this.peek(),
        "'policy' (a table name qualified by its database is only taken by policy commands)",
      );
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

  /**
   * `T (schema) kind=storage [partition by … / pathformat=…] dataformat=<format> (h@'…', …) [with (…)]`, as the ADX
   * reference writes it. Partitions and path formats are refused by name: the engine reads every blob under the URI.
   */
  private parseExternalTable(mode: ExternalTableMode): ManagementCommand {
    const name = this.parseName('an external table name');
    const columns = this.parseColumns();
    this.expectKeyword('kind');
    this.expectPunct('=', "'=' after kind");
    const kind = this.expectWord('storage');
    if (kind.value.toLowerCase() !== 'storage') {
      throw this.unsupported(kind, `External tables of kind '${kind.value}'`, 'use kind=storage');
    }
    for (const clause of ['partition', 'pathformat']) {
      if (this.peekKeyword(clause)) {
        throw this.unsupported(this.peek(), `The '${clause}' clause of external tables`);
      }
    }
    this.expectKeyword('dataformat');
    this.expectPunct('=', "'=' after dataformat");
    const formatToken = this.expectWord(`a data format (${EXTERNAL_DATA_FORMATS.join(', ')})`);
    const dataFormat = EXTERNAL_DATA_FORMATS.find((f) => f === formatToken.value.toLowerCase());
    if (!dataFormat) {
      throw this.unsupported(
        formatToken,
        `External data format '${formatToken.value}'`,
        `supported: ${EXTERNAL_DATA_FORMATS.join(', ')}`,
      );
    }
    this.expectPunct('(', "'(' opening the storage connection strings");
    const connectionStrings: string[] = [];
    for (;;) {
      connectionStrings.push(this.expectString('a storage connection string literal').value);
      const separator = this.expectPunct([',', ')'], "',' or ')' in the connection string list");
      if (separator.value === ')') {
        break;
      }
    }
    let properties: Record<string, string> = {};
    if (this.peekKeyword('with')) {
      this.next();
      properties = this.parseProperties();
    }
    return {
      kind: 'createExternalTable',
      mode,
      name,
      columns,
      dataFormat: dataFormat satisfies ExternalDataFormat,
      connectionStrings,
      properties,
    };
  }

  /** `Table` or `Database.Table`. */
  private parseTableEntity(): Extract<PolicyEntity, { kind: 'table' }> {
    const first = this.parseName('a table name');
    if (!this.peekPunct('.')) {
      return { kind: 'table', name: first };
    }
    this.next();
    return { kind: 'table', name: this.parseName('a table name after the database name'), database: first };
  }

  private parsePolicyKind(withUpdate: true): PolicyKind | 'update';
  private parsePolicyKind(withUpdate: false): PolicyKind;
  private parsePolicyKind(withUpdate: boolean): PolicyKind | 'update' {
    const token = this.expectWord(`a policy kind (${['update', ...POLICY_KINDS].join(', ')})`);
    const kind = token.value.toLowerCase();
    if (withUpdate && kind === 'update') {
      return 'update';
    }
    const known = POLICY_KINDS.find((k) => k === kind);
    if (!known) {
      // ADX has more policies (roworder, encoding, …): refused by name, so the gateway deploys them as written.
      const supported = withUpdate ? ['update', ...POLICY_KINDS] : POLICY_KINDS;
      throw this.unsupported(token, `The '${token.value}' policy`, `supported: ${supported.join(', ')}`);
    }
    return known;
  }

  /**
   * The policy of `.alter[-merge] <entity> policy <kind>`: a JSON string literal (adjacent literals concatenate),
   * or `enable` / `disable` for streaming ingestion. Caching takes `hot = <timespan>`, which is not implemented.
   */
  private parseAlterPolicy(verb: string, entity: PolicyEntity, policy: PolicyKind): ManagementCommand {
    const merge = verb === 'alter-merge';
    const next = this.peek();
    if (policy === 'streamingingestion' && (this.peekKeyword('enable') || this.peekKeyword('disable'))) {
      this.next();
      return {
        kind: 'alterPolicy',
        entity,
        policy,
        merge,
        value: { kind: 'enabled', enabled: next.value.toLowerCase() === 'enable' },
      };
    }
    if (next.kind !== 'string') {
      if (policy === 'caching' || (policy === 'retention' && next.kind === 'word')) {
        throw this.unsupported(
          next,
          `The '${policy}' policy in property form (${this.describe(next)} …)`,
          'give the policy as a JSON string literal',
        );
      }
      throw this.error(
        next,
        policy === 'streamingingestion'
          ? 'enable, disable or the policy as a JSON string literal'
          : 'the policy as a JSON string literal',
      );
    }
    const text = this.expectString('the policy as a JSON string literal', true).value;
    return { kind: 'alterPolicy', entity, policy, merge, value: { kind: 'json', text } };
  }

  /** `.clear table T data`, `.clear table T cache streamingingestion schema`, `.clear database cache …`. */
  private parseClear(): ManagementCommand {
    const what = this.expectWord('table or database');
    switch (what.value.toLowerCase()) {
      case 'table': {
        const name = this.parseName('a table name');
        if (this.peekKeyword('cache')) {
          this.parseStreamingSchemaCache();
          return { kind: 'clearStreamingIngestionSchemaCache', table: name };
        }
        this.expectKeyword('data');
        return { kind: 'clearTableData', name };
      }
      case 'database':
        this.parseStreamingSchemaCache();
        return { kind: 'clearStreamingIngestionSchemaCache' };
      default:
        throw this.error(what, 'table or database');
    }
  }

  private parseStreamingSchemaCache(): void {
    this.expectKeyword('cache');
    this.expectKeyword('streamingingestion');
    this.expectKeyword('schema');
  }

  /** `.refresh database 'D' [table 'T'] cache ingestionbatchingpolicy`; names as literals or identifiers. */
  private parseRefresh(): ManagementCommand {
    this.expectKeyword('database');
    const database = this.parseNameOrString('a database name');
    let table: string | undefined;
    if (this.peekKeyword('table')) {
      this.next();
      table = this.parseNameOrString('a table name');
    }
    this.expectKeyword('cache');
    this.expectKeyword('ingestionbatchingpolicy');
    return {
      kind: 'refreshIngestionBatchingPolicyCache',
      database,
      ...(table === undefined ? {} : { table }),
    };
  }

  private parseNameOrString(expected: string): string {
    return this.peek().kind === 'string' ? this.next().value : this.parseName(expected);
  }

  private parseFunction(mode: FunctionMode): ManagementCommand {
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
    const nameOffset = this.peek().start;
    const name = this.parseName('a function name');
    const { parameters, offsets, list } = this.parseFunctionParameters();
    const open = this.expectPunct('{', 'the function body in { }');
    const close = this.skipBalanced(open);
    const rawBody = this.source.slice(open.end, close.start);
    const body = rawBody.trim();
    if (body === '') {
      throw this.error(close, 'a non-empty function body');
    }
    return {
      kind: 'createFunction',
      mode,
      ifNotExists,
      name,
      parameters,
      body,
      properties,
      spans: {
        name: nameOffset,
        parameterList: list,
        parameters: offsets,
        body: { text: rawBody, offset: open.end },
      },
    };
  }

  private parseFunctionParameters(): {
    parameters: FunctionParameterDefinition[];
    offsets: number[];
    list: { text: string; offset: number };
  } {
    const open = this.expectPunct('(', 'the parameter list in ( )');
    const parameters: FunctionParameterDefinition[] = [];
    const offsets: number[] = [];
    const done = (close: Token): ReturnType<ManagementCommandParser['parseFunctionParameters']> => ({
      parameters,
      offsets,
      list: { text: this.source.slice(open.end, close.start), offset: open.end },
    });
    if (this.peekPunct(')')) {
      return done(this.next());
    }
    for (;;) {
      offsets.push(this.peek().start);
      const name = this.parseName('a parameter name');
      this.expectPunct(':', `':' and the type of parameter '${name}'`);
      let type: FunctionParameterDefinition['type'];
      if (this.peekPunct('(')) {
        this.skipBalanced();
        type = 'tabular';
      } else {
        type = this.parseScalarType('a parameter type');
      }
      const parameter: FunctionParameterDefinition = { name, type };
      if (this.peekPunct('=')) {
        parameter.defaultValue = this.parseDefaultValue(name);
      }
      parameters.push(parameter);
      const separator = this.expectPunct([',', ')'], "',' or ')' in the parameter list");
      if (separator.value === ')') {
        return done(separator);
      }
    }
  }

  /** The default value's source text, up to the `,` or `)` that ends the parameter. */
  private parseDefaultValue(parameter: string): string {
    const equals = this.next();
    let depth = 0;
    let last = equals;
    while (this.peek().kind !== 'eof') {
      const token = this.peek();
      if (token.kind === 'punct') {
        if (depth === 0 && (token.value === ',' || token.value === ')')) {
          break;
        }
        if (token.value === '(' || token.value === '[') {
          depth++;
        } else if (token.value === ')' || token.value === ']') {
          depth--;
        }
      }
      last = this.next();
    }
    if (last === equals) {
      throw this.error(this.peek(), `a default value for parameter '${parameter}'`);
    }
    return this.source.slice(equals.end, last.end).trim();
  }

  private parseColumns(): ColumnDefinition[] {
    this.expectPunct('(', 'the column list in ( )');
    const columns: ColumnDefinition[] = [];
    for (;;) {
      const name = this.parseName('a column name');
      this.expectPunct(':', `':' and the type of column '${name}'`);
      columns.push({ name, type: this.parseScalarType('a column type') });
      const separator = this.expectPunct([',', ')'], "',' or ')' in the column list");
      if (separator.value === ')') {
        return columns;
      }
    }
  }

  private parseScalarType(expected: string): ColumnDefinition['type'] {
    const token = this.expectWord(expected);
    const type = normalizeScalarType(token.value);
    if (!type) {
      throw this.error(token, SCALAR_TYPES);
    }
    return type;
  }

  private parseDrop(): ManagementCommand {
    const what = this.expectWord('table, external table or function');
    switch (what.value.toLowerCase()) {
      case 'external': {
        this.expectKeyword('table');
        const name = this.parseName('an external table name');
        return { kind: 'dropExternalTable', name, ifExists: this.parseIfExists() };
      }
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
        throw this.error(what, 'table, external table or function');
    }
  }

  private parseDelete(): ManagementCommand {
    const what = this.expectWord('table or database');
    switch (what.value.toLowerCase()) {
      case 'table': {
        const entity = this.parseTableEntity();
        this.expectKeyword('policy');
        const policy = this.parsePolicyKind(true);
        if (policy === 'update') {
          return { kind: 'deleteUpdatePolicy', table: entity.name };
        }
        return { kind: 'deletePolicy', entity, policy };
      }
      case 'database': {
        const name = this.parseName('a database name');
        this.expectKeyword('policy');
        return {
          kind: 'deletePolicy',
          entity: { kind: 'database', name },
          policy: this.parsePolicyKind(false),
        };
      }
      default:
        throw this.error(what, 'table or database');
    }
  }

  /** `.cancel query "<ClientActivityId>" [with (reason = "<ReasonPhrase>")]`, as ADX documents it. */
  private parseCancelQuery(): ManagementCommand {
    this.expectKeyword('query');
    const id = this.expectString('the ClientActivityId of the query to cancel, as a string literal');
    let reason: string | undefined;
    if (this.peekKeyword('with')) {
      this.next();
      const properties = this.parseProperties({
        names: ['reason'],
        expected: "'reason' (the only property .cancel query takes)",
      });
      reason = Object.values(properties)[0];
    }
    return { kind: 'cancelQuery', clientActivityId: id.value, ...(reason === undefined ? {} : { reason }) };
  }

  private parseShow(): ManagementCommand {
    const what = this.expectWord(
      'what to show (tables, table, functions, function, databases, database, version, cluster, running queries, export containers, external tables)',
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
      case 'database': {
        if (this.peek().kind !== 'word') {
          return { kind: 'showDatabase' };
        }
        const name = this.parseName('a database name');
        this.expectKeyword('policy');
        return {
          kind: 'showPolicy',
          entity: { kind: 'database', name },
          policy: this.parsePolicyKind(false),
        };
      }
      case 'export':
        this.expectKeyword('containers');
        return { kind: 'showExportContainers' };
      case 'version':
        return { kind: 'showVersion' };
      case 'cluster':
        return { kind: 'showCluster' };
      case 'table':
        return this.parseShowTable();
      case 'external':
        return this.parseShowExternal();
      default:
        throw this.error(
          what,
          'tables, table, functions, function, databases, database, version, cluster, running queries, export containers or external tables',
        );
    }
  }

  /** `.show external tables`, `.show external table T`, `.show external table T schema as json | cslschema`. */
  private parseShowExternal(): ManagementCommand {
    const what = this.expectWord('tables or table');
    switch (what.value.toLowerCase()) {
      case 'tables':
        return { kind: 'showExternalTables' };
      case 'table': {
        const name = this.parseName('an external table name');
        if (this.peek().kind === 'eof' || this.peekPunct('|')) {
          return { kind: 'showExternalTable', name };
        }
        const detail = this.expectWord('schema as json or cslschema');
        switch (detail.value.toLowerCase()) {
          case 'schema':
            this.expectKeyword('as');
            this.expectKeyword('json');
            return { kind: 'showExternalTableSchema', name, format: 'json' };
          case 'cslschema':
            return { kind: 'showExternalTableSchema', name, format: 'csl' };
          default:
            throw this.error(detail, 'schema as json or cslschema');
        }
      }
      default:
        throw this.error(what, 'tables or table');
    }
  }

  private parseShowTable(): ManagementCommand {
    const entity = this.parseTableEntity();
    const { name } = entity;
    if (entity.database === undefined && (this.peek().kind === 'eof' || this.peekPunct('|'))) {
      return { kind: 'showTable', name };
    }
    if (entity.database !== undefined && !this.peekKeyword('policy')) {
      throw this.error(
        this.peek(),
        "'policy' (a table name qualified by its database is only taken by policy commands)",
      );
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
        let mappingKind: IngestionMappingKind | undefined;
        if (!this.peekKeyword('mappings')) {
          mappingKind = this.parseMappingKind();
        }
        this.expectKeyword('mappings');
        return { kind: 'showMappings', table: name, mappingKind };
      }
      case 'policy': {
        const policy = this.parsePolicyKind(true);
        return policy === 'update'
          ? { kind: 'showUpdatePolicy', table: name }
          : { kind: 'showPolicy', entity, policy };
      }
      default:
        throw this.error(what, 'schema as json, cslschema, details, ingestion mappings or policy');
    }
  }

  private parseAppend(mode: AppendMode): ManagementCommand {
    if (this.peekKeyword('async')) {
      throw this.unsupported(this.peek(), `'.${mode} async'`, "omit 'async'");
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

  private parseIngest(): ManagementCommand {
    const inline = this.expectWord('inline');
    if (inline.value.toLowerCase() !== 'inline') {
      throw this.unsupported(
        inline,
        'Ingestion from storage URLs (.ingest into)',
        "use '.ingest inline' or streaming ingestion",
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

  /**
   * `with (name = value, …)`; values are literals or bare words, kept as their decoded text. `allowed` restricts the
   * names (lower case) a command takes.
   */
  private parseProperties(allowed?: { names: string[]; expected: string }): Record<string, string> {
    this.expectPunct('(', "'(' opening the property list");
    const properties: Record<string, string> = {};
    if (this.peekPunct(')')) {
      this.next();
      return properties;
    }
    for (;;) {
      const key = this.expectWord('a property name');
      if (allowed && !allowed.names.includes(key.value.toLowerCase())) {
        throw this.error(key, allowed.expected);
      }
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

  private parseMappingKind(): IngestionMappingKind {
    const token = this.expectWord('a mapping kind (csv, json, avro, parquet, orc or w3clogfile)');
    const kind = MAPPING_KINDS.get(token.value.toLowerCase());
    if (!kind) {
      throw this.error(token, 'a mapping kind (csv, json, avro, parquet, orc or w3clogfile)');
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
}

/** Parses one management command (its text from the leading `.`); throws ManagementCommandError. */
export function parseManagementCommand(text: string): ManagementCommand {
  return new ManagementCommandParser(text).parse();
}
