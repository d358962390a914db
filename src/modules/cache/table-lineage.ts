import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Which tables change when rows land in a table: the table itself plus, transitively, every table whose update
 * policy uses it as `Source` (ingestion writes raw tables; update policies fill the curated tables functions read).
 */
export class TableLineage {
  private constructor(private readonly targetsBySource: ReadonlyMap<string, readonly string[]>) {}

  static none(): TableLineage {
    return new TableLineage(new Map());
  }

  static fromPolicies(policies: readonly { table: string; source: string }[]): TableLineage {
    const map = new Map<string, string[]>();
    for (const { table, source } of policies) {
      map.set(source, [...(map.get(source) ?? []), table]);
    }
    return new TableLineage(map);
  }

  /** Reads every `.alter table T policy update @'[…"Source": "S"…]'` in `kql/tables/*.kql`. */
  static async fromKqlDir(kqlDir: string): Promise<TableLineage> {
    const dir = join(kqlDir, 'tables');
    let files: string[];
    try {
      files = (await readdir(dir)).filter((name) => name.endsWith('.kql')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return TableLineage.none();
      }
      throw error;
    }
    const policies: { table: string; source: string }[] = [];
    for (const file of files) {
      policies.push(...parseUpdatePolicies(await readFile(join(dir, file), 'utf8'), join(dir, file)));
    }
    return TableLineage.fromPolicies(policies);
  }

  /** The table and every table derived from it, each once. */
  affectedBy(table: string): string[] {
    const seen = new Set<string>([table]);
    const queue = [table];
    while (queue.length > 0) {
      for (const target of this.targetsBySource.get(queue.shift()!) ?? []) {
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    }
    return [...seen];
  }
}

const POLICY = /\.alter(?:-merge)?\s+table\s+\[?'?([\w.-]+)'?\]?\s+policy\s+update\s+@'((?:[^']|'')*)'/g;

export function parseUpdatePolicies(text: string, file: string): { table: string; source: string }[] {
  const found: { table: string; source: string }[] = [];
  for (const match of text.matchAll(POLICY)) {
    let rules: unknown;
    try {
      rules = JSON.parse(match[2].replace(/''/g, "'"));
    } catch (error) {
      throw new Error(
        `${file}: update policy of ${match[1]} is not valid JSON (${(error as Error).message})`,
        {
          cause: error,
        },
      );
    }
    for (const rule of Array.isArray(rules) ? rules : []) {
      const source = (rule as { Source?: unknown; IsEnabled?: unknown }).Source;
      if (typeof source === 'string' && (rule as { IsEnabled?: unknown }).IsEnabled !== false) {
        found.push({ table: match[1], source });
      }
    }
  }
  return found;
}
