/**
 * The DuckDB names of the columns of one compiled statement (see `case-distinct-name.ts`). One namer serves
 * a whole statement, so a KQL name has the same SQL name at every level of the query, and no two KQL names
 * share one case-insensitively. The SQL names stay internal: results are read by position and the result
 * schema carries the KQL names.
 */
import { caseDistinctName } from '../case-distinct-name.js';

/** Helper columns the emitter introduces itself (`__mv0`, `__mv1`, … included). */
const INTERNAL_NAMES = new Set(['__row', '__v', '__bin']);
const INTERNAL_PATTERN = /^__mv\d+$/;

export class ColumnNamer {
  private readonly sqlNames = new Map<string, string>();
  private readonly taken = new Set<string>();

  /**
   * Names `name` `preferred` (a stored table's DuckDB column) unless `name` is named already or
   * `preferred` is taken; then it gets the usual name.
   */
  prefer(name: string, preferred: string): void {
    if (this.sqlNames.has(name) || this.isTaken(preferred.toLowerCase())) {
      this.sqlName(name);
      return;
    }
    this.sqlNames.set(name, preferred);
    this.taken.add(preferred.toLowerCase());
  }

  sqlName(name: string): string {
    const known = this.sqlNames.get(name);
    if (known !== undefined) {
      return known;
    }
    const sqlName = caseDistinctName(name, (lower) => this.isTaken(lower));
    this.sqlNames.set(name, sqlName);
    this.taken.add(sqlName.toLowerCase());
    return sqlName;
  }

  private isTaken(lowerCased: string): boolean {
    return this.taken.has(lowerCased) || INTERNAL_NAMES.has(lowerCased) || INTERNAL_PATTERN.test(lowerCased);
  }
}
