import {
  externalTableDeclaration,
  formatPosition,
  type ExternalTableDeclaration,
  type FunctionCommand,
  type MappingCommand,
  type TableCommand,
  type UpdatePolicyCommand,
} from '@kqlgate/kql-language';
import type { Catalog, CatalogCommand } from './catalog.types.js';
import { DeployStateReader } from './deploy-state-reader.js';

/**
 * Idempotent deployment of kql/ to a database: reads what the database has (`.show tables`, `.show table T
 * cslschema`, `.show table T ingestion json mappings`, `.show functions`, `.show table T policy update`), plans
 * one step per declared object — create, update or unchanged — and applies only the creates and updates, in the
 * catalog's deploy order (tables, mappings, functions callee-first, update policies). `--dry-run` prints the plan.
 * The plan reads the database in two steps, not one round trip per object: the tables and functions, then at once
 * (DeployStateReader) everything the steps ask of the objects already there; a table the plan creates has no
 * mappings or policies to read.
 */

export interface KustoCommandRunner {
  command(csl: string): Promise<{ columns: { name: string }[]; rows: unknown[][] }>;
}

export type DeployAction = 'create' | 'update' | 'unchanged' | 'run';

export interface DeployStep {
  action: DeployAction;
  kind: 'table' | 'mapping' | 'function' | 'update-policy' | 'external-table' | 'command';
  name: string;
  /** Human-readable lines explaining an update (added columns, a body diff…). */
  details: string[];
  /** The command text to send (as written in kql/). */
  command: string;
  source: string;
}

export class DeployConflictError extends Error {
  constructor(readonly problems: string[]) {
    super(`cannot deploy:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'DeployConflictError';
  }
}

export class KqlDeployer {
  constructor(private readonly client: KustoCommandRunner) {}

  async plan(catalog: Pick<Catalog, 'deployOrder'>): Promise<DeployStep[]> {
    const reader = new DeployStateReader(this.client);
    const [tables, functionRows] = await Promise.all([
      reader.rows('.show tables'),
      reader.rows('.show functions'),
    ]);
    const inDatabase: ReadonlySet<string> = new Set((tables ?? []).map((r) => String(r.TableName)));
    const existingTables = new Set(inDatabase);
    const functions = new Map((functionRows ?? []).map((r) => [String(r.Name), r]));
    reader.prefetch(stateReads(catalog.deployOrder, inDatabase));
    const steps: DeployStep[] = [];
    const conflicts: string[] = [];
    const schemaCache = new Map<string, Map<string, string> | undefined>();

    for (const entry of catalog.deployOrder) {
      const source = formatPosition(entry.position);
      const command = entry.command;
      switch (command.kind) {
        case 'table':
          steps.push(await this.planTable(reader, command, source, existingTables, schemaCache, conflicts));
          break;
        case 'mapping':
          steps.push(await this.planMapping(reader, command, source, inDatabase));
          break;
        case 'function':
          steps.push(planFunction(command, source, functions.get(command.name)));
          break;
        case 'update-policy':
          steps.push(await this.planPolicy(reader, command, source, inDatabase));
          break;
        case 'other': {
          const external = externalTableDeclaration(command);
          if (external) {
            steps.push(await this.planExternalTable(reader, external, command.text, source));
            break;
          }
          steps.push({
            action: 'run',
            kind: 'command',
            name: firstLine(command.text),
            details: [],
            command: command.text,
            source,
          });
          break;
        }
      }
    }
    if (conflicts.length > 0) {
      throw new DeployConflictError(conflicts);
    }
    return steps;
  }

  /** Applies every create/update/run step in order; returns the steps applied. */
  async apply(steps: readonly DeployStep[]): Promise<DeployStep[]> {
    const applied: DeployStep[] = [];
    for (const step of steps) {
      if (step.action === 'unchanged') {
        continue;
      }
      try {
        await this.client.command(step.command);
      } catch (error) {
        const e = error as { message?: string; response?: { data?: { error?: { '@message'?: string } } } };
        const reason = e.response?.data?.error?.['@message'] ?? e.message ?? String(error);
        throw new Error(`${step.source}: ${step.action} ${step.kind} ${step.name} failed: ${reason}`, {
          cause: error,
        });
      }
      applied.push(step);
    }
    return applied;
  }

  private async planTable(
    reader: DeployStateReader,
    command: TableCommand,
    source: string,
    existing: Set<string>,
    schemaCache: Map<string, Map<string, string> | undefined>,
    conflicts: string[],
  ): Promise<DeployStep> {
    const base = { kind: 'table' as const, name: command.name, command: command.text, source };
    if (!existing.has(command.name)) {
      existing.add(command.name);
      schemaCache.set(command.name, new Map(command.columns.map((c) => [c.name, c.type])));
      return {
        ...base,
        action: 'create',
        details: [`(${command.columns.map((c) => `${c.name}:${c.type}`).join(', ')})`],
      };
    }
    if (!schemaCache.has(command.name)) {
      const rows = await reader.rows(tableSchemaRead(command.name));
      const schema = rows?.[0]?.Schema;
      schemaCache.set(command.name, typeof schema === 'string' ? parseCslSchema(schema) : undefined);
    }
    const current = schemaCache.get(command.name);
    if (!current) {
      return {
        ...base,
        action: 'update',
        details: ['schema unknown (could not read it); .create-merge is re-applied'],
      };
    }
    const added: string[] = [];
    for (const column of command.columns) {
      const type = current.get(column.name);
      if (type === undefined) {
        added.push(`${column.name}:${column.type}`);
        current.set(column.name, column.type);
      } else if (type !== column.type) {
        conflicts.push(
          `${source}: column ${command.name}.${column.name} is ${type} in the database but ${column.type} in kql/; ` +
            `change it with .alter-merge/.alter table by hand or rename the column`,
        );
      }
    }
    return added.length > 0
      ? { ...base, action: 'update', details: [`add columns ${added.join(', ')}`] }
      : { ...base, action: 'unchanged', details: [] };
  }

  private async planMapping(
    reader: DeployStateReader,
    command: MappingCommand,
    source: string,
    inDatabase: ReadonlySet<string>,
  ): Promise<DeployStep> {
    const base = {
      kind: 'mapping' as const,
      name: `${command.table}/${command.name}`,
      command: command.text,
      source,
    };
    const rows = inDatabase.has(command.table) ? await reader.rows(mappingsRead(command)) : [];
    const current = rows?.find((r) => r.Name === command.name);
    if (!current) {
      return { ...base, action: 'create', details: [`${command.format} mapping`] };
    }
    return mappingKey(String(current.Mapping)) === mappingKey(command.mapping)
      ? { ...base, action: 'unchanged', details: [] }
      : { ...base, action: 'update', details: ['column paths changed'] };
  }

  private async planPolicy(
    reader: DeployStateReader,
    command: UpdatePolicyCommand,
    source: string,
    inDatabase: ReadonlySet<string>,
  ): Promise<DeployStep> {
    const base = { kind: 'update-policy' as const, name: command.table, command: command.text, source };
    const rows = inDatabase.has(command.table) ? await reader.rows(policyRead(command.table)) : [];
    const current = rows?.[0]?.Policy;
    if (
      current === undefined ||
      current === null ||
      current === '' ||
      current === '[]' ||
      current === 'null'
    ) {
      return { ...base, action: 'create', details: [policySummary(command.policy)] };
    }
    return policyKey(typeof current === 'string' ? current : JSON.stringify(current)) ===
      policyKey(command.policy)
      ? { ...base, action: 'unchanged', details: [] }
      : { ...base, action: 'update', details: [policySummary(command.policy)] };
  }

  /**
   * An external table is unchanged when the database has one of that name with the same schema, folder, docstring,
   * format and storage addresses. Connection-string secrets are never shown back (ADX and the embedded engine redact
   * them), so a changed key alone is not seen: re-deploy it with the command by hand.
   */
  private async planExternalTable(
    reader: DeployStateReader,
    declared: ExternalTableDeclaration,
    text: string,
    source: string,
  ): Promise<DeployStep> {
    const base = { kind: 'external-table' as const, name: declared.name, command: text, source };
    const schema = (await reader.rows(externalSchemaRead(declared.name)))?.[0]?.Schema;
    if (typeof schema !== 'string') {
      return { ...base, action: 'create', details: [`(${cslOf(declared.columns)})`] };
    }
    const shown = (await reader.rows(EXTERNAL_TABLES_READ))?.find((r) => r.TableName === declared.name);
    const properties = typeof shown?.Properties === 'string' ? shown.Properties : '';
    const same =
      schema.replace(/\s/g, '') === cslOf(declared.columns).replace(/\s/g, '') &&
      (shown?.Folder ?? '') === (declared.folder ?? '') &&
      (shown?.DocString ?? '') === (declared.docstring ?? '') &&
      properties.toLowerCase().includes(`"format":"${declared.dataFormat}"`) &&
      declared.addresses.every((address) => properties.includes(address));
    return same
      ? { ...base, action: 'unchanged', details: [] }
      : { ...base, action: 'update', details: ['definition changed'] };
  }
}

const tableSchemaRead = (table: string): string => `.show table ['${table}'] cslschema`;
const mappingsRead = ({ table, format }: MappingCommand): string =>
  `.show table ['${table}'] ingestion ${format} mappings`;
const policyRead = (table: string): string => `.show table ['${table}'] policy update`;
const externalSchemaRead = (table: string): string => `.show external table ['${table}'] cslschema`;
const EXTERNAL_TABLES_READ = '.show external tables';

/** The `.show` commands the plan's steps send for the objects of kql/ whose tables are already in the database. */
function* stateReads(
  deployOrder: readonly CatalogCommand[],
  inDatabase: ReadonlySet<string>,
): Generator<string> {
  for (const { command } of deployOrder) {
    switch (command.kind) {
      case 'table':
        if (inDatabase.has(command.name)) {
          yield tableSchemaRead(command.name);
        }
        break;
      case 'mapping':
        if (inDatabase.has(command.table)) {
          yield mappingsRead(command);
        }
        break;
      case 'update-policy':
        if (inDatabase.has(command.table)) {
          yield policyRead(command.table);
        }
        break;
      case 'function':
        break;
      case 'other': {
        const external = externalTableDeclaration(command);
        if (external) {
          yield externalSchemaRead(external.name);
          yield EXTERNAL_TABLES_READ;
        }
        break;
      }
    }
  }
}

/** A cell as text (cells of .show commands are strings; anything else is shown as JSON). */
function text(value: unknown): string {
  return typeof value === 'string'
    ? value
    : value === null || value === undefined
      ? ''
      : JSON.stringify(value);
}

function planFunction(
  command: FunctionCommand,
  source: string,
  current: Record<string, unknown> | undefined,
): DeployStep {
  const base = { kind: 'function' as const, name: command.name, command: command.text, source };
  if (!current) {
    return { ...base, action: 'create', details: [`(${command.parameterText.replace(/\s+/g, ' ').trim()})`] };
  }
  const details: string[] = [];
  if (squash(text(current.Parameters)) !== squash(`(${command.parameterText})`)) {
    details.push(
      `parameters ${text(current.Parameters)} → (${command.parameterText.replace(/\s+/g, ' ').trim()})`,
    );
  }
  if (text(current.Folder) !== (command.properties.folder ?? '')) {
    details.push(`folder '${text(current.Folder)}' → '${command.properties.folder ?? ''}'`);
  }
  if (text(current.DocString) !== (command.properties.docstring ?? '')) {
    details.push('docstring changed');
  }
  const oldBody = stripBraces(text(current.Body));
  if (squash(oldBody) !== squash(command.body)) {
    details.push('body:', ...lineDiff(oldBody, command.body));
  }
  return details.length > 0
    ? { ...base, action: 'update', details }
    : { ...base, action: 'unchanged', details: [] };
}

/** The plan as the diff `kqlgate deploy --dry-run` prints: `+` create, `~` update, `=` unchanged, `>` run. */
export function formatPlan(steps: readonly DeployStep[]): string {
  const marks: Record<DeployAction, string> = { create: '+', update: '~', unchanged: '=', run: '>' };
  const lines: string[] = [];
  for (const step of steps) {
    lines.push(
      `${marks[step.action]} ${step.kind} ${step.name}${step.action === 'unchanged' ? '' : `  (${step.source})`}`,
    );
    for (const detail of step.details) {
      lines.push(`    ${detail}`);
    }
  }
  const count = (action: DeployAction): number => steps.filter((s) => s.action === action).length;
  lines.push(
    `${count('create')} to create, ${count('update')} to update, ${count('unchanged')} unchanged, ${count('run')} other commands`,
  );
  return lines.join('\n');
}

function parseCslSchema(schema: string): Map<string, string> {
  const columns = new Map<string, string>();
  for (const part of schema.split(',')) {
    const match = /^\s*\[?'?([^:'\]]+)'?\]?\s*:\s*([A-Za-z0-9]+)\s*$/.exec(part);
    if (match) {
      const type = match[2].toLowerCase();
      columns.set(match[1].trim(), type === 'double' ? 'real' : type === 'boolean' ? 'bool' : type);
    }
  }
  return columns;
}

function mappingKey(mapping: string): string {
  try {
    const parsed = JSON.parse(mapping) as {
      column?: string;
      Column?: string;
      Properties?: { Path?: string };
      path?: string;
    }[];
    return parsed.map((m) => `${m.column ?? m.Column}=${m.Properties?.Path ?? m.path ?? ''}`).join('|');
  } catch {
    return mapping;
  }
}

function policyKey(policy: string): string {
  try {
    const parsed = JSON.parse(policy) as Record<string, unknown>[];
    return JSON.stringify(
      (Array.isArray(parsed) ? parsed : [parsed]).map((p) => [
        p.IsEnabled ?? true,
        p.Source,
        squash(text(p.Query)),
        p.IsTransactional ?? false,
      ]),
    );
  } catch {
    return policy;
  }
}

function policySummary(policy: string): string {
  try {
    const parsed = JSON.parse(policy) as { Source?: string; Query?: string }[];
    return parsed.map((p) => `from ${p.Source} via ${p.Query}`).join('; ');
  } catch {
    return policy;
  }
}

function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

function stripBraces(body: string): string {
  const trimmed = body.trim();
  return trimmed.startsWith('{') && trimmed.endsWith('}') ? trimmed.slice(1, -1) : trimmed;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0];
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/** A minimal line diff (LCS) of two function bodies, blank lines and indentation ignored. */
export function lineDiff(before: string, after: string): string[] {
  const a = before
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const b = after
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) {
      out.push(`+ ${b[j++]}`);
    } else {
      out.push(`- ${a[i++]}`);
    }
  }
  return out;
}

function cslOf(columns: readonly { name: string; type: string }[]): string {
  return columns.map((c) => `${c.name}:${c.type}`).join(',');
}
