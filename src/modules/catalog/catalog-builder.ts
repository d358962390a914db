import {
  declaredExternalTables,
  FunctionAnalyzer,
  type FunctionCommand,
  type HeaderLine,
  type KqlCommand,
  KqlCommandSyntaxError,
  LineMap,
  literalValue,
  parseCommand,
  type SourcePosition,
  splitScript,
  type TableCommand,
} from '@kqlgate/kql-language';
import { checkChart } from './chart-directive.js';
import { parseExposureHeader } from './exposure-header.js';
import { describeRange, rangeProblem, resolveParameterRange } from './parameter-range.js';
import type {
  Catalog,
  CatalogCommand,
  CatalogDiagnostic,
  CatalogFunction,
  CatalogParameter,
  KqlSourceFile,
} from './catalog.types.js';

/**
 * Builds a Catalog from the text of a `kql/` directory. Pure: the same files give the same catalog, so the
 * service, `kqlgate lint`, `kqlgate schema` and `kqlgate deploy` all see one truth.
 *
 * Stages: split each script into commands → parse commands → declare tables and function symbols to
 * Kusto.Language → analyze every function body (output schema, diagnostics) → read exposure headers →
 * cross-checks (bindings, update policies) → deploy order.
 */
export function buildCatalog(files: readonly KqlSourceFile[], options: { version?: number } = {}): Catalog {
  const stages = catalogStages(files, options);
  for (let step = stages.next(); ; step = stages.next()) {
    if (step.done) {
      return step.value;
    }
  }
}

/**
 * The same catalog as buildCatalog, giving the event loop a turn between function analyses: analyzing a
 * directory takes seconds of Kusto.Language CPU, and in one process the ingestion pipeline and the embedded
 * engine must keep serving meanwhile.
 */
export async function buildCatalogYielding(
  files: readonly KqlSourceFile[],
  options: { version?: number } = {},
): Promise<Catalog> {
  const stages = catalogStages(files, options);
  for (let step = stages.next(); ; step = stages.next()) {
    if (step.done) {
      return step.value;
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * What ingestion needs before it can write, in deploy order: tables, mappings, the functions update policies
 * call (transitively, found by name as the deploy order does) and the update policies. Read without semantic
 * analysis, so the embedded stack can create storage and start ingesting while functions are still analyzed.
 * Undefined when kql/ has syntax errors or duplicate functions: the full catalog build reports those.
 */
export function storageDeployOrder(files: readonly KqlSourceFile[]): CatalogCommand[] | undefined {
  const diagnostics: CatalogDiagnostic[] = [];
  const parsed = parseSources(files, diagnostics);
  const functions = distinctFunctions(parsed, diagnostics);
  if (diagnostics.length > 0) {
    return undefined;
  }
  const needed = new Set<string>();
  const visit = (text: string): void => {
    for (const fn of functions) {
      if (!needed.has(fn.command.name) && callsFunction(text, fn.command.name)) {
        needed.add(fn.command.name);
        visit(fn.command.body);
      }
    }
  };
  for (const { command } of parsed) {
    if (command.kind === 'update-policy') {
      visit(command.policy);
    }
  }
  return deployOrder(parsed, functions).filter(({ command }) =>
    command.kind === 'function' ? needed.has(command.name) : command.kind !== 'other',
  );
}

/**
 * Every stored function of kql/ in deploy order (callees first), read without semantic analysis: `npm start`
 * creates them on the embedded engine while it is still quiet, so the catalog's deploy later finds them unchanged.
 * Undefined when kql/ has syntax errors or duplicate functions (the full catalog build reports those).
 */
export function functionDeployOrder(files: readonly KqlSourceFile[]): CatalogCommand[] | undefined {
  const diagnostics: CatalogDiagnostic[] = [];
  const parsed = parseSources(files, diagnostics);
  const functions = distinctFunctions(parsed, diagnostics);
  if (diagnostics.length > 0) {
    return undefined;
  }
  return deployOrder(parsed, functions).filter(({ command }) => command.kind === 'function');
}

type ParsedSource = ParsedEntry & { header: HeaderLine[] };

function parseSources(files: readonly KqlSourceFile[], diagnostics: CatalogDiagnostic[]): ParsedSource[] {
  const parsed: ParsedSource[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const lines = new LineMap(file.text);
    for (const scriptCommand of splitScript(file.text)) {
      try {
        parsed.push({ file, lines, command: parseCommand(scriptCommand), header: scriptCommand.header });
      } catch (error) {
        if (!(error instanceof KqlCommandSyntaxError)) {
          throw error;
        }
        diagnostics.push(
          diag('error', 'KQLGATE_SYNTAX', error.message, lines.position(file.path, error.offset)),
        );
      }
    }
  }
  return parsed;
}

/** Function definitions, the first of each name (KQL function names clash case-insensitively). */
function distinctFunctions(
  parsed: ParsedSource[],
  diagnostics: CatalogDiagnostic[],
): (ParsedSource & { command: FunctionCommand })[] {
  const seenFunctions = new Map<string, string>();
  return parsed
    .filter((p): p is ParsedSource & { command: FunctionCommand } => p.command.kind === 'function')
    .filter((entry) => {
      const key = entry.command.name.toLowerCase();
      const previous = seenFunctions.get(key);
      if (previous) {
        diagnostics.push(
          diag(
            'error',
            'KQLGATE_DUPLICATE_FUNCTION',
            `function ${entry.command.name} is also defined in ${previous}`,
            entry.lines.position(entry.file.path, entry.command.nameOffset),
          ),
        );
        return false;
      }
      seenFunctions.set(key, entry.file.path);
      return true;
    });
}

function callsFunction(text: string, name: string): boolean {
  return new RegExp(`\\b${name}\\s*\\(`).test(text);
}

/** The stages of a catalog build; yields between function analyses (see buildCatalogYielding). */
function* catalogStages(
  files: readonly KqlSourceFile[],
  options: { version?: number },
): Generator<void, Catalog, void> {
  const diagnostics: CatalogDiagnostic[] = [];
  const parsed = parseSources(files, diagnostics);
  const tables = mergeTables(parsed, diagnostics);
  const uniqueFunctions = distinctFunctions(parsed, diagnostics);

  const perFile = new Map<string, number>();
  for (const entry of uniqueFunctions) {
    perFile.set(entry.file.path, (perFile.get(entry.file.path) ?? 0) + 1);
  }

  const externalTables = declaredExternalTables(parsed.map((p) => p.command));
  const analyzer = new FunctionAnalyzer(
    'analytics',
    tables.map((t) => t.table),
    uniqueFunctions.map((f) => f.command),
    externalTables,
  );
  const functions: CatalogFunction[] = [];
  const references = new Map<string, { tables: string[]; functions: string[] }>();
  for (const entry of uniqueFunctions) {
    const { command, file, lines } = entry;
    const at = (offset: number): SourcePosition => lines.position(file.path, offset);
    const errorCountBefore = diagnostics.filter((d) => d.severity === 'error').length;
    if (file.path.startsWith('functions/') && (perFile.get(file.path) ?? 0) > 1) {
      diagnostics.push(
        diag(
          'error',
          'KQLGATE_ONE_FUNCTION_PER_FILE',
          `${file.path} defines more than one function`,
          at(command.offset),
        ),
      );
    }
    const expectedFile = `functions/${command.name}.kql`;
    if (file.path.startsWith('functions/') && file.path !== expectedFile) {
      diagnostics.push(
        diag(
          'warning',
          'KQLGATE_FILE_NAME',
          `function ${command.name} should live in ${expectedFile}`,
          at(command.nameOffset),
        ),
      );
    }
    yield;
    const analysis = analyzer.analyze(command);
    references.set(command.name, {
      tables: analysis.referencedTables,
      functions: analysis.referencedFunctions,
    });
    for (const d of analysis.diagnostics) {
      diagnostics.push(diag(d.severity, d.code, `${command.name}: ${d.message}`, at(d.offset)));
    }
    const header = parseExposureHeader(entry.header);
    for (const problem of header.problems) {
      diagnostics.push(diag('error', 'KQLGATE_EXPOSURE', problem.message, at(problem.offset)));
    }
    const parameters: CatalogParameter[] = [];
    for (const p of command.parameters) {
      if (p.type === 'tabular') {
        continue;
      }
      const binding = header.bindings[p.name];
      const defaultValue = p.defaultText === undefined ? undefined : literalValue(p.type, p.defaultText);
      const declared = header.ranges.find((r) => r.name === p.name);
      let range;
      if (declared) {
        const resolved = resolveParameterRange(p.type, declared);
        for (const problem of resolved.problems) {
          diagnostics.push(diag('error', 'KQLGATE_PARAMETER_RANGE', problem.message, at(problem.offset)));
        }
        if (binding) {
          diagnostics.push(
            diag(
              'error',
              'KQLGATE_PARAMETER_RANGE',
              `@param ${p.name}: the parameter is bound to the "${binding.claim}" claim; ranges apply to parameters callers supply`,
              at(declared.offset),
            ),
          );
        }
        range = resolved.range;
        if (
          range &&
          defaultValue !== undefined &&
          defaultValue !== null &&
          rangeProblem(p.type, range, defaultValue, p.defaultText ?? '', new Date())
        ) {
          diagnostics.push(
            diag(
              'error',
              'KQLGATE_PARAMETER_RANGE',
              `@param ${p.name}: the default ${p.defaultText ?? ''} is outside the declared range (${describeRange(range)})`,
              at(declared.offset),
            ),
          );
        }
      }
      parameters.push({
        name: p.name,
        type: p.type,
        required: p.defaultText === undefined && binding === undefined,
        ...(p.defaultText === undefined ? {} : { defaultText: p.defaultText }),
        ...(defaultValue === undefined ? {} : { defaultValue }),
        ...(binding ? { binding } : {}),
        ...(range ? { range } : {}),
      });
    }
    for (const declared of header.ranges) {
      if (!command.parameters.some((p) => p.name === declared.name)) {
        diagnostics.push(
          diag(
            'error',
            'KQLGATE_PARAMETER_RANGE',
            `@param names parameter ${declared.name}, which ${command.name} does not declare`,
            at(declared.offset),
          ),
        );
      }
    }
    for (const name of Object.keys(header.bindings)) {
      if (!command.parameters.some((p) => p.name === name)) {
        diagnostics.push(
          diag(
            'error',
            'KQLGATE_EXPOSURE',
            `@bind names parameter ${name}, which ${command.name} does not declare`,
            at(command.parameterOffset),
          ),
        );
      }
    }
    let chart;
    if (header.chart && analysis.outputColumns) {
      const checked = checkChart(command.name, header.chart, analysis.outputColumns);
      for (const problem of checked.problems) {
        diagnostics.push(diag('error', 'KQLGATE_CHART', problem.message, at(problem.offset)));
      }
      chart = checked.chart;
    }
    const failed = diagnostics.filter((d) => d.severity === 'error').length > errorCountBefore;
    if (header.exposure && !analysis.outputColumns && !failed) {
      diagnostics.push(
        diag(
          'error',
          'KQLGATE_NOT_EXPOSABLE',
          `${command.name} is marked @expose but has no typed output`,
          at(command.nameOffset),
        ),
      );
    }
    functions.push({
      name: command.name,
      file: file.path,
      position: at(command.nameOffset),
      parameters,
      outputColumns: analysis.outputColumns ?? [],
      tables: [],
      command,
      ...(command.properties.docstring ? { docString: command.properties.docstring } : {}),
      ...(command.properties.folder ? { folder: command.properties.folder } : {}),
      ...(header.exposure && analysis.outputColumns && !failed ? { exposure: header.exposure } : {}),
      ...(chart ? { chart } : {}),
    });
  }

  for (const fn of functions) {
    fn.tables = transitiveTables(fn.name, references);
  }
  checkUpdatePolicies(parsed, tables, functions, diagnostics);

  return Object.freeze({
    version: options.version ?? 1,
    loadedAt: new Date(),
    tables: tables.map((t) => ({ ...t.table, file: t.file })),
    functions,
    deployOrder: deployOrder(parsed, uniqueFunctions),
    diagnostics,
  });
}

function transitiveTables(
  name: string,
  references: Map<string, { tables: string[]; functions: string[] }>,
): string[] {
  const tables = new Set<string>();
  const seen = new Set<string>();
  const visit = (fn: string): void => {
    if (seen.has(fn)) {
      return;
    }
    seen.add(fn);
    const refs = references.get(fn);
    refs?.tables.forEach((t) => tables.add(t));
    refs?.functions.forEach(visit);
  };
  visit(name);
  return [...tables].sort();
}

function diag(
  severity: CatalogDiagnostic['severity'],
  code: string,
  message: string,
  position: SourcePosition,
): CatalogDiagnostic {
  return { severity, code, message, position };
}

type ParsedEntry = { file: KqlSourceFile; lines: LineMap; command: KqlCommand };

/** `.create-merge table` may appear more than once for a table; the columns add up, as on the cluster. */
function mergeTables(
  parsed: ParsedEntry[],
  diagnostics: CatalogDiagnostic[],
): { table: TableCommand; file: string }[] {
  const byName = new Map<string, { table: TableCommand; file: string }>();
  for (const { file, lines, command } of parsed) {
    if (command.kind !== 'table') {
      continue;
    }
    const existing = byName.get(command.name.toLowerCase());
    if (!existing) {
      byName.set(command.name.toLowerCase(), {
        table: { ...command, columns: [...command.columns] },
        file: file.path,
      });
      continue;
    }
    for (const column of command.columns) {
      const known = existing.table.columns.find((c) => c.name === column.name);
      if (!known) {
        existing.table.columns.push(column);
      } else if (known.type !== column.type) {
        diagnostics.push(
          diag(
            'error',
            'KQLGATE_COLUMN_TYPE_CONFLICT',
            `column ${command.name}.${column.name} is ${column.type} here but ${known.type} in ${existing.file}`,
            lines.position(file.path, command.offset),
          ),
        );
      }
    }
  }
  return [...byName.values()];
}

/** An update policy must read an existing table and produce exactly the target table's columns. */
function checkUpdatePolicies(
  parsed: ParsedEntry[],
  tables: { table: TableCommand }[],
  functions: CatalogFunction[],
  diagnostics: CatalogDiagnostic[],
): void {
  for (const { file, lines, command } of parsed) {
    if (command.kind !== 'update-policy') {
      continue;
    }
    const at = lines.position(file.path, command.offset);
    const target = tables.find((t) => t.table.name === command.table)?.table;
    if (!target) {
      diagnostics.push(
        diag('error', 'KQLGATE_UPDATE_POLICY', `update policy on unknown table ${command.table}`, at),
      );
      continue;
    }
    let policies: { Source?: string; Query?: string }[];
    try {
      policies = JSON.parse(command.policy) as { Source?: string; Query?: string }[];
    } catch (error) {
      diagnostics.push(
        diag(
          'error',
          'KQLGATE_UPDATE_POLICY',
          `update policy of ${command.table} is not valid JSON: ${String(error)}`,
          at,
        ),
      );
      continue;
    }
    for (const policy of Array.isArray(policies) ? policies : []) {
      if (!tables.some((t) => t.table.name === policy.Source)) {
        diagnostics.push(
          diag(
            'error',
            'KQLGATE_UPDATE_POLICY',
            `update policy of ${command.table} reads unknown table ${policy.Source}`,
            at,
          ),
        );
      }
      const call = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*\)\s*$/.exec(policy.Query ?? '');
      const fn = call ? functions.find((f) => f.name === call[1]) : undefined;
      if (!fn) {
        continue;
      }
      const produced = fn.outputColumns.map((c) => `${c.name}:${c.type}`).join(', ');
      const expected = target.columns.map((c) => `${c.name}:${c.type}`).join(', ');
      if (fn.outputColumns.length > 0 && produced !== expected) {
        diagnostics.push(
          diag(
            'error',
            'KQLGATE_UPDATE_POLICY',
            `${fn.name}() produces (${produced}) but ${command.table} has (${expected})`,
            at,
          ),
        );
      }
    }
  }
}

/** Tables, then mappings, then functions (callees first), then update policies, then anything else. */
function deployOrder(
  parsed: (ParsedEntry & { header: HeaderLine[] })[],
  functions: (ParsedEntry & { command: FunctionCommand })[],
): CatalogCommand[] {
  const entry = (p: ParsedEntry): CatalogCommand => ({
    file: p.file.path,
    position: p.lines.position(p.file.path, p.command.offset),
    command: p.command,
  });
  const ofKind = (kind: KqlCommand['kind']): CatalogCommand[] =>
    parsed.filter((p) => p.command.kind === kind).map(entry);

  const ordered: (ParsedEntry & { command: FunctionCommand })[] = [];
  const visiting = new Set<string>();
  const byName = new Map(functions.map((f) => [f.command.name, f]));
  const visit = (fn: ParsedEntry & { command: FunctionCommand }): void => {
    if (ordered.includes(fn) || visiting.has(fn.command.name)) {
      return;
    }
    visiting.add(fn.command.name);
    for (const callee of functions) {
      if (callee !== fn && callsFunction(fn.command.body, callee.command.name)) {
        visit(byName.get(callee.command.name)!);
      }
    }
    ordered.push(fn);
  };
  functions.forEach(visit);

  return [
    ...ofKind('table'),
    ...ofKind('mapping'),
    ...ordered.map(entry),
    ...ofKind('update-policy'),
    ...ofKind('other'),
  ];
}
