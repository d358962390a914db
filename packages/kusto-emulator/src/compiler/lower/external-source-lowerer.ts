/**
 * Lowers the two ways a query reads external data, `external_table('T')` and the `externaldata` operator, to a scan
 * of a view named for the source, and records each source. The SQL stays a plain `FROM "<view>"`; the engine creates
 * the views over the fetched files just before it runs the statements (external/external-data-reader.ts), so what
 * is compiled and cached never depends on the files' content or on where they were downloaded to.
 */
import type { ColumnSchema, ExternalSource } from '../compiler-types.js';
import { KqlCompileError, type SourcePosition } from '../kql-compile-error.js';
import { ScanNode } from '../ir/scan-node.js';
import { child, listElements, nameText, requiredChild, type KNode } from '../parse/kusto-syntax.js';

export class ExternalSourceLowerer {
  private readonly recorded: ExternalSource[] = [];

  constructor(private readonly positionOf: (node: KNode) => SourcePosition) {}

  get sources(): readonly ExternalSource[] {
    return this.recorded;
  }

  /** `external_table('T')`: Kusto.Language has already checked that T is an external table of the database. */
  table(nameArgument: KNode, columns: ColumnSchema[]): ScanNode {
    const table = this.constantString(nameArgument, 'the external table name');
    const view = `external_table:${table}`;
    if (!this.recorded.some((s) => s.view === view)) {
      this.recorded.push(Object.freeze({ kind: 'table', view, table }));
    }
    return this.scan(view, columns);
  }

  /** `externaldata (schema) [uri, …] with (format=…, …)`. */
  data(node: KNode, columns: ColumnSchema[]): ScanNode {
    const uris = listElements(child(node, 'URIs')).map((u) => this.constantString(u, 'an externaldata URI'));
    const properties: Record<string, string | boolean | number> = {};
    const withClause = child(node, 'WithClause');
    for (const property of listElements(withClause ? child(withClause, 'Properties') : null)) {
      const value = requiredChild(property, 'Expression').ConstantValue;
      if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') {
        throw new KqlCompileError(
          'SEMANTIC',
          `externaldata property '${nameText(requiredChild(property, 'Name'))}' must be a constant string, bool or number`,
          this.positionOf(property),
        );
      }
      properties[nameText(requiredChild(property, 'Name')).toLowerCase()] = value;
    }
    const view = `externaldata:${this.recorded.length}`;
    this.recorded.push(
      Object.freeze({
        kind: 'data',
        view,
        uris: Object.freeze(uris),
        properties: Object.freeze(properties),
        columns,
      }),
    );
    return this.scan(view, columns);
  }

  private scan(view: string, columns: ColumnSchema[]): ScanNode {
    return ScanNode.create(
      view,
      columns,
      columns.map((c) => c.name),
    );
  }

  private constantString(node: KNode, what: string): string {
    const value = node.ConstantValue;
    if (typeof value !== 'string') {
      throw new KqlCompileError('SEMANTIC', `${what} must be a constant string`, this.positionOf(node));
    }
    return value;
  }
}
