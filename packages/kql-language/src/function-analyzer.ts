/// <reference types="@kusto/language-service-next/Kusto.Language.Bridge.d.ts" />
import { kustoLanguage } from './kusto-language.js';
import type {
  ColumnDeclaration,
  ExternalTableDeclaration,
  FunctionCommand,
  TableCommand,
} from './kql-command.js';
import { normalizeScalarType } from './kql-scalar-types.js';

/**
 * Semantic analysis of stored functions with Microsoft's Kusto.Language, against the schema the `kql/` directory
 * declares (no cluster needed). For each function it reports every diagnostic at a script offset and derives the
 * output schema — the column names and Kusto types of the rows the function returns — which is what lets the
 * gateway type GraphQL fields and OpenAPI responses without running anything.
 *
 * Parameters are declared to the analyzer the way the gateway sends them at run time,
 * `declare query_parameters(<the function's own parameter list>); <body>`, so defaults are checked too.
 */

export interface AnalysisDiagnostic {
  offset: number;
  length: number;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface FunctionAnalysis {
  /** Undefined when the function does not return a table (or analysis failed). */
  outputColumns?: ColumnDeclaration[];
  diagnostics: AnalysisDiagnostic[];
  /** Tables and stored functions the body names directly (callers resolve functions transitively). */
  referencedTables: string[];
  referencedFunctions: string[];
}

const DECLARE_PREFIX = 'declare query_parameters(';

type KustoLanguage = ReturnType<typeof kustoLanguage>;

export class FunctionAnalyzer {
  private readonly globals: Kusto.Language.GlobalState;
  private readonly kusto: KustoLanguage;
  private readonly storedFunctions: Set<string>;

  constructor(
    databaseName: string,
    tables: TableCommand[],
    functions: FunctionCommand[],
    externalTables: readonly ExternalTableDeclaration[] = [],
  ) {
    this.kusto = kustoLanguage();
    this.storedFunctions = new Set(functions.map((f) => f.name));
    const symbols = this.kusto.Symbols;
    const members: Kusto.Language.Symbols.Symbol[] = [];
    for (const table of tables) {
      const schema = `(${table.columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`;
      members.push(new symbols.TableSymbol.$ctor7(table.name, schema, table.properties.docstring ?? null));
    }
    for (const table of externalTables) {
      const schema = `(${table.columns.map((c) => `['${c.name}']:${c.type}`).join(', ')})`;
      members.push(new symbols.ExternalTableSymbol.$ctor4(table.name, schema, table.docstring ?? null));
    }
    for (const fn of functions) {
      members.push(
        new symbols.FunctionSymbol.$ctor16(
          fn.name,
          `(${fn.parameterText})`,
          `{${fn.body}}`,
          fn.properties.docstring ?? null,
        ),
      );
    }
    const database = new symbols.DatabaseSymbol.$ctor1(
      databaseName,
      members as unknown as System.Collections.Generic.IEnumerable$1<Kusto.Language.Symbols.Symbol>,
      false,
    );
    // A KustoCache keeps Kusto.Language's tables of built-in functions and operators between the analyses of one
    // catalog build; without it every analysis rebuilds them.
    this.globals = this.kusto.GlobalState.Default!.WithDatabase(database)!.WithCache()!;
  }

  analyze(fn: FunctionCommand): FunctionAnalysis {
    if (fn.parameters.some((p) => p.type === 'tabular')) {
      return {
        referencedTables: [],
        referencedFunctions: [],
        diagnostics: [
          {
            offset: fn.parameterOffset,
            length: fn.parameterText.length,
            severity: 'warning',
            code: 'KQLGATE_TABULAR_PARAMETER',
            message: `${fn.name} takes a tabular parameter, so it cannot be analyzed or exposed as an endpoint`,
          },
        ],
      };
    }
    const prefix = `${DECLARE_PREFIX}${fn.parameterText});\n`;
    const text = fn.parameters.length > 0 ? prefix + fn.body : fn.body;
    const prefixLength = fn.parameters.length > 0 ? prefix.length : 0;
    const code = this.kusto.KustoCode.ParseAndAnalyze(text, this.globals)!;
    const diagnostics: AnalysisDiagnostic[] = [];
    const list = code.GetDiagnostics()!;
    for (let i = 0; i < list.Count; i++) {
      const d = list.getItem(i);
      const severity = String(d.Severity).toLowerCase();
      if (severity !== 'error' && severity !== 'warning') {
        continue;
      }
      diagnostics.push({
        offset: this.mapOffset(fn, d.Start, prefixLength),
        length: d.Length,
        severity,
        code: d.Code ?? 'KQL',
        message: d.Message ?? 'unknown problem',
      });
    }
    const referencedTables = new Set<string>();
    const referencedFunctions = new Set<string>();
    code.Syntax!.WalkElements((element) => {
      const symbol = (element as { ReferencedSymbol?: Kusto.Language.Symbols.Symbol | null })
        .ReferencedSymbol;
      if (symbol instanceof this.kusto.Symbols.TableSymbol && symbol.Name) {
        referencedTables.add(symbol.Name);
      } else if (
        symbol instanceof this.kusto.Symbols.FunctionSymbol &&
        symbol.Name &&
        this.storedFunctions.has(symbol.Name)
      ) {
        referencedFunctions.add(symbol.Name);
      }
    });
    const references = {
      referencedTables: [...referencedTables].sort(),
      referencedFunctions: [...referencedFunctions].sort(),
    };
    const result = code.ResultType as Kusto.Language.Symbols.TableSymbol | null;
    if (!result || !result.Columns) {
      if (diagnostics.every((d) => d.severity !== 'error')) {
        diagnostics.push({
          offset: fn.bodyOffset,
          length: 0,
          severity: 'error',
          code: 'KQLGATE_NOT_TABULAR',
          message: `${fn.name} does not return a table (its last statement must be a tabular expression)`,
        });
      }
      return { diagnostics, ...references };
    }
    const outputColumns: ColumnDeclaration[] = [];
    for (let i = 0; i < result.Columns.Count; i++) {
      const column = result.Columns.getItem(i);
      const typeName = column.Type?.Name ?? 'unknown';
      const type = normalizeScalarType(typeName) ?? (typeName.startsWith('dynamic') ? 'dynamic' : undefined);
      if (!type) {
        if (diagnostics.every((d) => d.severity !== 'error')) {
          diagnostics.push({
            offset: fn.bodyOffset,
            length: 0,
            severity: 'error',
            code: 'KQLGATE_UNTYPED_COLUMN',
            message: `the type of output column ${column.Name} of ${fn.name} cannot be inferred (${typeName})`,
          });
        }
        continue;
      }
      outputColumns.push({ name: column.Name ?? `Column${i + 1}`, type });
    }
    return { outputColumns, diagnostics, ...references };
  }

  private mapOffset(fn: FunctionCommand, start: number, prefixLength: number): number {
    if (start >= prefixLength) {
      return fn.bodyOffset + (start - prefixLength);
    }
    const inParameters = start - DECLARE_PREFIX.length;
    return inParameters >= 0 && inParameters <= fn.parameterText.length
      ? fn.parameterOffset + inParameters
      : fn.nameOffset;
  }
}
