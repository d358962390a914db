import type { ScriptCommand } from './kql-script.js';
import type { KustoScalarType } from './kql-scalar-types.js';
import type { ManagementCommand } from './mgmt-command.js';
import { ManagementCommandError } from './mgmt-command-error.js';
import { parseManagementCommand } from './mgmt-command-parser.js';

/**
 * The management commands a `kql/` directory is made of, parsed just far enough for kqlgate to build a schema
 * (tables, function signatures and bodies) and to deploy them in dependency order. Offsets are script offsets so
 * every problem can be reported at `file:line:col`. The commands are read by the same parser the engine executes
 * them with (mgmt-command-parser.ts), so lint finds what the engine would refuse.
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

/** Definitions the gateway reads; every other command is deployed as written. */
const DEFINITION = /^\.(create-or-alter|create-merge|create|alter-merge|alter)\s+(function|table)\b/i;

export function parseCommand(command: ScriptCommand): KqlCommand {
  const { text, offset } = command;
  if (!DEFINITION.test(text)) {
    return { kind: 'other', text, offset };
  }
  let parsed: ManagementCommand;
  try {
    parsed = parseManagementCommand(text);
  } catch (error) {
    if (!(error instanceof ManagementCommandError)) {
      throw error;
    }
    if (error.code === 'notSupported') {
      return { kind: 'other', text, offset };
    }
    throw new KqlCommandSyntaxError(error.detail, offset + error.offset);
  }
  return definitionOf(parsed, text, offset);
}

/** The gateway's view of a parsed command: the definitions it reads, `other` for the rest. */
function definitionOf(parsed: ManagementCommand, text: string, offset: number): KqlCommand {
  if (parsed.kind === 'createTable') {
    const { name, columns, properties } = parsed;
    return { kind: 'table', text, offset, name, columns, properties: lowerCaseKeys(properties) };
  }
  if (parsed.kind === 'createFunction') {
    const { spans } = parsed;
    return {
      kind: 'function',
      text,
      offset,
      name: parsed.name,
      nameOffset: offset + spans.name,
      parameters: parsed.parameters.map((parameter, i) => ({
        name: parameter.name,
        type: parameter.type,
        offset: offset + spans.parameters[i],
        ...(parameter.defaultValue === undefined ? {} : { defaultText: parameter.defaultValue }),
      })),
      parameterText: spans.parameterList.text,
      parameterOffset: offset + spans.parameterList.offset,
      body: spans.body.text,
      bodyOffset: offset + spans.body.offset,
      properties: lowerCaseKeys(parsed.properties),
    };
  }
  if (parsed.kind === 'createMapping') {
    const { table, name, mapping } = parsed;
    return { kind: 'mapping', text, offset, table, format: parsed.mappingKind.toLowerCase(), name, mapping };
  }
  if (parsed.kind === 'alterUpdatePolicy') {
    return { kind: 'update-policy', text, offset, table: parsed.table, policy: parsed.policy };
  }
  return { kind: 'other', text, offset };
}

/** An external table a `kql/` script declares: deployed as written, known to analysis by its schema. */
export interface ExternalTableDeclaration {
  name: string;
  columns: ColumnDeclaration[];
  dataFormat: string;
  /** Each connection string without its secret (`;key`, `?sas`): what a database shows back. */
  addresses: string[];
  docstring?: string;
  folder?: string;
}

const EXTERNAL_TABLE = /^\.(create-or-alter|create|alter)\s+external\s+table\b/i;

/**
 * The external table an `other` command creates, if it is one. A command that does not parse is left to the
 * engine, which refuses it with its own message at deploy.
 */
export function externalTableDeclaration(command: OtherCommand): ExternalTableDeclaration | undefined {
  if (!EXTERNAL_TABLE.test(command.text)) {
    return undefined;
  }
  let parsed: ManagementCommand;
  try {
    parsed = parseManagementCommand(command.text);
  } catch {
    return undefined;
  }
  if (parsed.kind !== 'createExternalTable') {
    return undefined;
  }
  const { docstring, folder } = lowerCaseKeys(parsed.properties);
  return {
    name: parsed.name,
    columns: parsed.columns,
    dataFormat: parsed.dataFormat,
    addresses: parsed.connectionStrings.map((c) => c.replace(/[;?].*$/s, '')),
    ...(docstring === undefined ? {} : { docstring }),
    ...(folder === undefined ? {} : { folder }),
  };
}

/** The external tables among `commands`, in order. */
export function declaredExternalTables(commands: Iterable<KqlCommand>): ExternalTableDeclaration[] {
  const declared: ExternalTableDeclaration[] = [];
  for (const command of commands) {
    const table = command.kind === 'other' ? externalTableDeclaration(command) : undefined;
    if (table) {
      declared.push(table);
    }
  }
  return declared;
}

function lowerCaseKeys(properties: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key.toLowerCase(), value]));
}
