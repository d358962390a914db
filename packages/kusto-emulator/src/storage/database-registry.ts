/**
 * The engine's databases, one DuckDB file each under the data directory. Files are opened on first use, so
 * start-up cost does not grow with the number of databases on disk.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { createDirectorySync } from '@kqlgate/data-directory';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { KustoDatabase, type DatabaseOptions } from './kusto-database.js';

const FILE_SUFFIX = '.kusto.duckdb';
const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,259}$/;

export class DatabaseRegistry {
  private readonly open = new Map<string, Promise<KustoDatabase>>();
  private known = new Set<string>();

  private constructor(
    private readonly dataDir: string,
    private readonly setupSql: () => Promise<readonly string[]>,
    private readonly options: DatabaseOptions,
  ) {}

  static async create(
    dataDir: string,
    setupSql: () => Promise<readonly string[]>,
    options: DatabaseOptions = {},
  ): Promise<DatabaseRegistry> {
    createDirectorySync(dataDir, "the Kusto engine's data directory");
    const registry = new DatabaseRegistry(dataDir, setupSql, options);
    const files = await readdir(dataDir);
    registry.known = new Set(
      files
        .filter((f) => f.endsWith(FILE_SUFFIX))
        .map((f) => decodeURIComponent(f.slice(0, -FILE_SUFFIX.length))),
    );
    return registry;
  }

  names(): string[] {
    return [...this.known].sort();
  }

  exists(name: string): boolean {
    return this.known.has(name);
  }

  /** Opens an existing database; unknown names are a Kusto "database not found" error. */
  get(name: string): Promise<KustoDatabase> {
    if (!this.known.has(name)) {
      return Promise.reject(KustoEngineError.notFound('Database', name));
    }
    return this.openFile(name);
  }

  /** `.create database` and configured databases: creates the file if missing. */
  async create(name: string, ifNotExists: boolean): Promise<KustoDatabase> {
    if (!DATABASE_NAME.test(name)) {
      throw KustoEngineError.semantic(
        `Database name '${name}' is invalid: use letters, digits, '_', '-', '.' or spaces (at most 260 characters).`,
      );
    }
    if (this.known.has(name) && !ifNotExists) {
      throw KustoEngineError.alreadyExists('Database', name);
    }
    const clash = [...this.known].find((n) => n !== name && n.toLowerCase() === name.toLowerCase());
    if (clash) {
      throw KustoEngineError.semantic(
        `Database '${name}' differs from existing database '${clash}' only by case.`,
      );
    }
    this.known.add(name);
    return this.openFile(name);
  }

  async closeAll(): Promise<void> {
    const databases = await Promise.allSettled(this.open.values());
    this.open.clear();
    for (const result of databases) {
      if (result.status === 'fulfilled') {
        await result.value.close();
      }
    }
  }

  private openFile(name: string): Promise<KustoDatabase> {
    let database = this.open.get(name);
    if (!database) {
      const filePath = path.join(this.dataDir, `${encodeURIComponent(name)}${FILE_SUFFIX}`);
      database = KustoDatabase.open(name, filePath, this.setupSql, this.options);
      database.catch(() => this.open.delete(name));
      this.open.set(name, database);
    }
    return database;
  }
}
