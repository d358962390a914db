/**
 * The files `npm run sync` writes and CI compares with the committed ones: the GraphQL schema and the OpenAPI
 * document the gateway serves for `kql/`, the example TypeScript client of its functions, and the DuckDB SQL the
 * embedded engine compiles each exposed function's query to. Committed so that a review of a KQL change shows what it does to the API and to the SQL.
 *
 * Pure: it reads `kql/` and returns paths (relative to the repository root) with their contents; writing or
 * comparing is the caller's job (scripts/sync.mjs, test/deploy/generated-artefacts.test.ts).
 */
import { resolve } from 'node:path';
import { declaredExternalTables } from '@kqlgate/kql-language';
import { buildCatalog } from '../modules/catalog/catalog-builder.js';
import type { Catalog, CatalogFunction } from '../modules/catalog/catalog.types.js';
import { KqlDirectorySource } from '../modules/catalog/kql-directory.source.js';
import { graphqlJs } from '../modules/graphql/graphql-runtime.js';
import { buildGraphqlSchema } from '../modules/graphql/schema-builder.js';
import { functionQueryText } from '../modules/query/query-text.js';
import { buildOpenApi } from '../modules/rest/openapi/openapi-builder.js';
import {
  CLIENT_FILE_NAME,
  generateTypescriptClient,
} from './typescript-client/typescript-client-generator.js';

export interface GeneratedArtefact {
  /** Relative to the repository root, forward slashes. */
  readonly path: string;
  readonly content: string;
}

/** The command that rewrites every artefact; printed by CI when one differs. */
export const SYNC_COMMAND = 'npm run sync';

/** Where the compiled SQL of each exposed function goes, one `<Function>.sql` per function. */
export const COMPILED_SQL_DIR = 'kql/compiled';

/** Where the example TypeScript client goes: what `kqlgate client --typescript` writes for kql/ (docs/client.md). */
export const TYPESCRIPT_CLIENT_DIR = 'examples/typescript-client';

/** Directories holding nothing but generated files: a file there that sync does not write is a leftover. */
export const GENERATED_DIRS: readonly string[] = [COMPILED_SQL_DIR, TYPESCRIPT_CLIENT_DIR];

type Compiler = typeof import('@kqlgate/kusto-emulator/compiler');

export async function generatedArtefacts(repoRoot: string): Promise<GeneratedArtefact[]> {
  const catalog = buildCatalog(await new KqlDirectorySource(resolve(repoRoot, 'kql')).read());
  const errors = catalog.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    throw new Error(
      `kql/ has ${errors.length} error(s) (first: ${errors[0].message}); run kqlgate lint and fix them first`,
    );
  }
  const compiler = await import('@kqlgate/kusto-emulator/compiler');
  return [
    {
      path: 'schema.graphql',
      content: await formatted(
        'schema.graphql',
        graphqlJs.printSchema(buildGraphqlSchema(catalog)),
        repoRoot,
      ),
    },
    {
      path: 'openapi.json',
      content: await formatted('openapi.json', JSON.stringify(buildOpenApi(catalog), null, 2), repoRoot),
    },
    {
      path: `${TYPESCRIPT_CLIENT_DIR}/${CLIENT_FILE_NAME}`,
      content: await formatted(
        `${TYPESCRIPT_CLIENT_DIR}/${CLIENT_FILE_NAME}`,
        generateTypescriptClient(catalog),
        repoRoot,
      ),
    },
    ...catalog.functions
      .filter((fn) => fn.exposure)
      .map((fn) => ({
        path: `${COMPILED_SQL_DIR}/${fn.name}.sql`,
        content: compiledSql(compiler, catalog, fn),
      })),
  ];
}

/**
 * Formatted as `npm run lint` wants every committed file (Prettier, the repository's settings). Prettier is a
 * development dependency, as is everything that calls this.
 */
async function formatted(path: string, text: string, repoRoot: string): Promise<string> {
  const prettier = await import('prettier');
  const file = resolve(repoRoot, path);
  return prettier.format(text, { ...(await prettier.resolveConfig(file)), filepath: file });
}

/**
 * The SQL of the query text the gateway sends for `fn` (query-text.ts), compiled as the engine compiles it
 * before any value is bound: parameters stay slots, so the placeholder values of required parameters (the
 * compiler wants one) do not appear in it. A function the embedded engine cannot compile gets
 * the engine's error instead, so a change in what it supports shows up in review as well.
 */
function compiledSql(compiler: Compiler, catalog: Catalog, fn: CatalogFunction): string {
  const kql = functionQueryText(fn, fn.exposure!.maxRows);
  const header = `-- ${fn.file}: the gateway's query, compiled by the embedded engine\n-- ${kql.replace(/\n/g, '\n-- ')}\n`;
  const db = {
    name: 'kqlgate',
    tables: catalog.tables.map((t) => ({ name: t.name, columns: t.columns.map((c) => ({ ...c })) })),
    functions: catalog.functions.map((f) => ({
      name: f.name,
      parameters: f.command.parameters.map((p) => ({
        name: p.name,
        type: p.type,
        defaultValue: p.defaultText,
      })),
      body: f.command.body,
    })),
    externalTables: declaredExternalTables(catalog.deployOrder.map((e) => e.command)).map((t) => ({
      name: t.name,
      columns: t.columns,
    })),
  };
  try {
    const compiled = compiler.compileKqlTemplate(kql, db, placeholderValues(fn));
    return `${header}\n${compiled.statements.map((s) => `${s.sql};\n`).join('\n')}`;
  } catch (error) {
    return `${header}\n-- not compiled by the embedded engine: ${(error as Error).message}\n`;
  }
}

/** A value of the right type for every parameter without a default: the template keeps it as a slot. */
function placeholderValues(fn: CatalogFunction): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const parameter of fn.parameters) {
    if (parameter.defaultText === undefined) {
      values[parameter.name] = PLACEHOLDERS[parameter.type];
    }
  }
  return values;
}

const PLACEHOLDERS: Record<CatalogFunction['parameters'][number]['type'], string | number | boolean> = {
  bool: false,
  int: 0,
  long: 0,
  real: 0,
  decimal: '0',
  string: '',
  datetime: '2000-01-01T00:00:00Z',
  timespan: '00:00:00',
  guid: '00000000-0000-0000-0000-000000000000',
  dynamic: 'null',
};
