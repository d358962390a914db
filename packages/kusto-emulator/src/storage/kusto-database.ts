/**
 * One Kusto database = one DuckDB file. Rows live in `main."<Table>"`, the catalog (Kusto column types,
 * functions, mappings, policies) and ingestion extent tags in schema `kqlgate_meta` of the same file, so a
 * command or an ingestion commits or rolls back as one DuckDB transaction — which is also what makes a
 * `kill -9` mid-ingestion leave all or nothing (DuckDB replays only committed WAL entries).
 *
 * Writes go through a single writer connection behind a mutex; queries use a small pool of reader
 * connections, each prepared once with the compiler's setup SQL.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { DatabaseSchema } from '../compiler/compiler-types.js';
import { registerJsScalarFunctions } from '../compiler/sql/functions/js-scalar-functions.js';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { quoteIdent } from '../schema/kusto-types.js';
import { AsyncMutex } from './async-mutex.js';
import type {
  ExternalTableEntry,
  FunctionEntry,
  MappingEntry,
  MappingKind,
  PolicyObject,
  TableEntry,
  UpdatePolicy,
} from './catalog-types.js';
import { upgradeTimeColumns } from './time-column-upgrade.js';

const META_SCHEMA = 'kqlgate_meta';
const MAX_READERS = 4;

type EntityKind = 'table' | 'function' | 'mapping' | 'update-policy' | 'policy' | 'external-table';

export interface DatabaseOptions {
  /** DuckDB `memory_limit`, e.g. `1GB`; DuckDB's default (80% of RAM) when unset. */
  memoryLimit?: string;
}

export interface CatalogSnapshot {
  tables: Map<string, TableEntry>;
  functions: Map<string, FunctionEntry>;
  externalTables: Map<string, ExternalTableEntry>;
  mappings: Map<string, MappingEntry>;
  updatePolicies: Map<string, UpdatePolicy[]>;
  /** JSON policies (streamingingestion, ingestionbatching, retention, …) by policyKey. */
  policies: Map<string, PolicyObject>;
}

/** A database policy has the table ''. */
export function policyKey(table: string, kind: string): string {
  return `${table}\u0000${kind}`;
}

export function mappingKey(table: string, kind: MappingKind, name: string): string {
  return `${table}\u0000${kind}\u0000${name}`;
}

/** A write transaction: SQL on the writer connection plus catalog edits applied only if it commits. */
export class WriteTransaction {
  private readonly catalogEdits: Array<() => void> = [];

  constructor(
    readonly connection: DuckDBConnection,
    private readonly database: KustoDatabase,
  ) {}

  async putTable(entry: TableEntry): Promise<void> {
    await this.putEntity('table', '', entry.name, entry);
    this.catalogEdits.push(() => this.database.catalog.tables.set(entry.name, entry));
  }

  async deleteTable(name: string): Promise<void> {
    await this.connection.run(
      `DELETE FROM ${META_SCHEMA}.entities WHERE (kind = 'table' AND name = $1) OR table_name = $1`,
      [name],
    );
    await this.connection.run(`DELETE FROM ${META_SCHEMA}.extent_tags WHERE table_name = $1`, [name]);
    this.catalogEdits.push(() => {
      const catalog = this.database.catalog;
      catalog.tables.delete(name);
      catalog.updatePolicies.delete(name);
      for (const key of catalog.policies.keys()) {
        if (key.startsWith(policyKey(name, ''))) {
          catalog.policies.delete(key);
        }
      }
      for (const [key, mapping] of catalog.mappings) {
        if (mapping.table === name) {
          catalog.mappings.delete(key);
        }
      }
    });
  }

  async putFunction(entry: FunctionEntry): Promise<void> {
    await this.putEntity('function', '', entry.name, entry);
    this.catalogEdits.push(() => this.database.catalog.functions.set(entry.name, entry));
  }

  async deleteFunction(name: string): Promise<void> {
    await this.deleteEntity('function', '', name);
    this.catalogEdits.push(() => this.database.catalog.functions.delete(name));
  }

  async putExternalTable(entry: ExternalTableEntry): Promise<void> {
    await this.putEntity('external-table', '', entry.name, entry);
    this.catalogEdits.push(() => this.database.catalog.externalTables.set(entry.name, entry));
  }

  async deleteExternalTable(name: string): Promise<void> {
    await this.deleteEntity('external-table', '', name);
    this.catalogEdits.push(() => this.database.catalog.externalTables.delete(name));
  }

  async putMapping(entry: MappingEntry): Promise<void> {
    const key = mappingKey(entry.table, entry.kind, entry.name);
    await this.putEntity('mapping', entry.table, `${entry.kind}\u0000${entry.name}`, entry);
    this.catalogEdits.push(() => this.database.catalog.mappings.set(key, entry));
  }

  async deleteMapping(table: string, kind: MappingKind, name: string): Promise<void> {
    await this.deleteEntity('mapping', table, `${kind}\u0000${name}`);
    this.catalogEdits.push(() => this.database.catalog.mappings.delete(mappingKey(table, kind, name)));
  }

  async putUpdatePolicies(table: string, policies: UpdatePolicy[]): Promise<void> {
    await this.putEntity('update-policy', table, '', policies);
    this.catalogEdits.push(() => this.database.catalog.updatePolicies.set(table, policies));
  }

  /** `table` is '' for a database policy. */
  async putPolicy(table: string, kind: string, policy: PolicyObject): Promise<void> {
    await this.putEntity('policy', table, kind, policy);
    this.catalogEdits.push(() => this.database.catalog.policies.set(policyKey(table, kind), policy));
  }

  async deletePolicy(table: string, kind: string): Promise<void> {
    await this.deleteEntity('policy', table, kind);
    this.catalogEdits.push(() => this.database.catalog.policies.delete(policyKey(table, kind)));
  }

  async hasAnyTag(table: string, tags: readonly string[]): Promise<string | undefined> {
    if (tags.length === 0) {
      return undefined;
    }
    const reader = await this.connection.runAndReadAll(
      `SELECT tag FROM ${META_SCHEMA}.extent_tags WHERE table_name = $1 AND list_contains($2::VARCHAR[], tag) LIMIT 1`,
      [table, `[${tags.map((t) => JSON.stringify(t)).join(',')}]`],
    );
    const rows = reader.getRowObjectsJS();
    return rows.length > 0 ? (rows[0].tag as string) : undefined;
  }

  async addTags(table: string, tags: readonly string[], extentId: string): Promise<void> {
    for (const tag of tags) {
      await this.connection.run(
        `INSERT INTO ${META_SCHEMA}.extent_tags (table_name, tag, extent_id, created_at) VALUES ($1, $2, $3, now())`,
        [table, tag, extentId],
      );
    }
  }

  applyCatalogEdits(): void {
    for (const edit of this.catalogEdits) {
      edit();
    }
    if (this.catalogEdits.length > 0) {
      this.database.catalogChanged();
    }
  }

  private async putEntity(kind: EntityKind, table: string, name: string, body: unknown): Promise<void> {
    await this.deleteEntity(kind, table, name);
    await this.connection.run(
      `INSERT INTO ${META_SCHEMA}.entities (kind, table_name, name, body) VALUES ($1, $2, $3, $4)`,
      [kind, table, name, JSON.stringify(body)],
    );
  }

  private async deleteEntity(kind: EntityKind, table: string, name: string): Promise<void> {
    await this.connection.run(
      `DELETE FROM ${META_SCHEMA}.entities WHERE kind = $1 AND table_name = $2 AND name = $3`,
      [kind, table, name],
    );
  }
}

export class KustoDatabase {
  readonly catalog: CatalogSnapshot = {
    tables: new Map(),
    functions: new Map(),
    externalTables: new Map(),
    mappings: new Map(),
    updatePolicies: new Map(),
    policies: new Map(),
  };
  private readonly writeMutex = new AsyncMutex();
  private readonly setupMutex = new AsyncMutex();
  private readonly idleReaders: DuckDBConnection[] = [];
  private readonly readerWaiters: Array<(connection: DuckDBConnection) => void> = [];
  private readerCount = 0;
  private closed = false;
  private schemaSnapshot: DatabaseSchema | undefined;
  private writerPrepared = false;
  private readonly preparedReaders = new WeakSet<DuckDBConnection>();

  private constructor(
    readonly name: string,
    readonly filePath: string,
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection,
    private readonly setupSql: () => Promise<readonly string[]>,
    private readonly catalogName: string,
  ) {}

  static async open(
    name: string,
    filePath: string,
    setupSql: () => Promise<readonly string[]>,
    options: DatabaseOptions = {},
  ): Promise<KustoDatabase> {
    // DuckDB's memory limit is per instance, so per database: its queries and ingestions share it. Past it, sorts,
    // joins and aggregations spill to `<file>.tmp`, and what cannot spill fails with "Out of Memory" (a Kusto
    // E_LOW_MEMORY_CONDITION error) instead of growing the process without bound.
    const instance = await DuckDBInstance.create(
      filePath,
      options.memoryLimit ? { memory_limit: options.memoryLimit } : undefined,
    );
    const writer = await instance.connect();
    await writer.run(`CREATE SCHEMA IF NOT EXISTS ${META_SCHEMA}`);
    await writer.run(
      `CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.entities (kind VARCHAR NOT NULL, table_name VARCHAR NOT NULL, name VARCHAR NOT NULL, body VARCHAR NOT NULL)`,
    );
    await writer.run(
      `CREATE TABLE IF NOT EXISTS ${META_SCHEMA}.extent_tags (table_name VARCHAR NOT NULL, tag VARCHAR NOT NULL, extent_id VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)`,
    );
    const current = await writer.runAndReadAll('SELECT current_database()');
    const catalogName = current.getRowsJS()[0][0] as string;
    const database = new KustoDatabase(name, filePath, instance, writer, setupSql, catalogName);
    await database.loadCatalog();
    await upgradeTimeColumns(writer, catalogName, database.catalog.tables.values(), (t) =>
      database.tableRef(t),
    );
    return database;
  }

  /**
   * Fully qualified reference to a stored table. Never plain `main."T"`: the TEMP catalog has a `main`
   * schema too, and inside an ingestion `temp.main."T"` holds the new rows under the same name.
   */
  tableRef(name: string): string {
    return `${quoteIdent(this.catalogName)}.main.${quoteIdent(name)}`;
  }

  /**
   * The schema the compiler analyzes queries against. One object per catalog version: the compiler keys
   * its analysis state and compiled queries by schema content, and a known object skips serializing the
   * whole schema (stored function bodies included) on every query.
   */
  schema(): DatabaseSchema {
    this.schemaSnapshot ??= Object.freeze({
      name: this.name,
      tables: [...this.catalog.tables.values()].map((t) => ({ name: t.name, columns: t.columns })),
      functions: [...this.catalog.functions.values()],
      externalTables: [...this.catalog.externalTables.values()].map((t) => ({
        name: t.name,
        columns: t.columns,
      })),
    });
    return this.schemaSnapshot;
  }

  /** Called after committed catalog edits (see `WriteTransaction.applyCatalogEdits`). */
  catalogChanged(): void {
    this.schemaSnapshot = undefined;
  }

  table(name: string): TableEntry {
    const table = this.catalog.tables.get(name);
    if (!table) {
      throw KustoEngineError.notFound('Table', name, `database '${this.name}'`);
    }
    return table;
  }

  /** DuckDB resolves identifiers case-insensitively, so `Events` and `events` cannot coexist as tables. */
  findCaseInsensitiveClash(name: string): string | undefined {
    const lower = name.toLowerCase();
    for (const existing of this.catalog.tables.keys()) {
      if (existing !== name && existing.toLowerCase() === lower) {
        return existing;
      }
    }
    return undefined;
  }

  /**
   * Runs `work` in one DuckDB transaction on the writer connection; catalog edits apply only on commit.
   * `compiledSql` prepares the writer for compiler output (update policies, `.set-or-append`) first.
   */
  write<T>(work: (tx: WriteTransaction) => Promise<T>, options: { compiledSql?: boolean } = {}): Promise<T> {
    return this.writeMutex.runExclusive(async () => {
      this.assertOpen();
      if (options.compiledSql) {
        await this.prepareWriterForCompiledSql();
      }
      const tx = new WriteTransaction(this.writer, this);
      await this.writer.run('BEGIN TRANSACTION');
      let result: T;
      try {
        result = await work(tx);
        await this.writer.run('COMMIT');
      } catch (error) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
      tx.applyCatalogEdits();
      return result;
    });
  }

  /**
   * Lends a reader connection; `interrupt()` on it is how `servertimeout` cancels a query. `compiledSql`
   * prepares it for compiler output first (once per connection).
   */
  async read<T>(
    work: (connection: DuckDBConnection) => Promise<T>,
    options: { compiledSql?: boolean } = {},
  ): Promise<T> {
    const connection = await this.acquireReader();
    try {
      if (options.compiledSql) {
        await this.prepareReader(connection);
      }
      return await work(connection);
    } finally {
      this.releaseReader(connection);
    }
  }

  /**
   * Opens and prepares every reader connection the pool allows, so the first concurrent queries do not each pay
   * for a connection and its setup SQL (tens of milliseconds apiece, one after the other).
   */
  async prepareReaders(): Promise<void> {
    const connections: DuckDBConnection[] = [];
    try {
      for (let i = 0; i < MAX_READERS; i += 1) {
        connections.push(await this.acquireReader());
      }
      for (const connection of connections) {
        await this.prepareReader(connection);
      }
    } finally {
      for (const connection of connections) {
        this.releaseReader(connection);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    // Wait for in-flight writes so a clean shutdown never cuts a transaction short.
    await this.writeMutex.runExclusive(() => {
      this.closed = true;
      return Promise.resolve();
    });
    for (const reader of this.idleReaders) {
      reader.closeSync();
    }
    this.idleReaders.length = 0;
    this.writer.closeSync();
    this.instance.closeSync();
  }

  private async prepareReader(connection: DuckDBConnection): Promise<void> {
    if (this.preparedReaders.has(connection)) {
      return;
    }
    // Serialised: setup SQL may write the catalog (macros), and concurrent catalog writes conflict.
    await this.setupMutex.runExclusive(async () => {
      for (const sql of await this.setupSql()) {
        await connection.run(sql);
      }
      await registerJsScalarFunctions(connection);
    });
    this.preparedReaders.add(connection);
  }

  /** Outside any transaction, so that macros the setup creates are not rolled back with a failed write. */
  private async prepareWriterForCompiledSql(): Promise<void> {
    if (this.writerPrepared) {
      return;
    }
    await this.setupMutex.runExclusive(async () => {
      for (const sql of await this.setupSql()) {
        await this.writer.run(sql);
      }
      await registerJsScalarFunctions(this.writer);
    });
    this.writerPrepared = true;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error(`database '${this.name}' is closed`);
    }
  }

  private async acquireReader(): Promise<DuckDBConnection> {
    this.assertOpen();
    const idle = this.idleReaders.pop();
    if (idle) {
      return idle;
    }
    if (this.readerCount < MAX_READERS) {
      this.readerCount += 1;
      try {
        return await this.instance.connect();
      } catch (error) {
        this.readerCount -= 1;
        throw error;
      }
    }
    return new Promise((resolve) => this.readerWaiters.push(resolve));
  }

  private releaseReader(connection: DuckDBConnection): void {
    const waiter = this.readerWaiters.shift();
    if (waiter) {
      waiter(connection);
      return;
    }
    if (this.closed) {
      connection.closeSync();
      return;
    }
    this.idleReaders.push(connection);
  }

  private async loadCatalog(): Promise<void> {
    const reader = await this.writer.runAndReadAll(
      `SELECT kind, table_name, name, body FROM ${META_SCHEMA}.entities`,
    );
    for (const row of reader.getRowObjectsJS()) {
      const body: unknown = JSON.parse(row.body as string);
      switch (row.kind as EntityKind) {
        case 'table': {
          const table = body as TableEntry;
          this.catalog.tables.set(table.name, table);
          break;
        }
        case 'function': {
          const fn = body as FunctionEntry;
          this.catalog.functions.set(fn.name, fn);
          break;
        }
        case 'external-table': {
          const table = body as ExternalTableEntry;
          this.catalog.externalTables.set(table.name, table);
          break;
        }
        case 'mapping': {
          const mapping = body as MappingEntry;
          this.catalog.mappings.set(mappingKey(mapping.table, mapping.kind, mapping.name), mapping);
          break;
        }
        case 'update-policy':
          this.catalog.updatePolicies.set(row.table_name as string, body as UpdatePolicy[]);
          break;
        case 'policy':
          this.catalog.policies.set(
            policyKey(row.table_name as string, row.name as string),
            body as PolicyObject,
          );
          break;
      }
    }
  }
}
