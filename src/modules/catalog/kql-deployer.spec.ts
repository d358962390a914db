import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storageDeployOrder } from './catalog-builder.js';
import type { CatalogCommand, KqlSourceFile } from './catalog.types.js';
import { STATE_READ_CONCURRENCY } from './deploy-state-reader.js';
import { KqlDeployer, type KustoCommandRunner } from './kql-deployer.js';

const kqlDir = join(import.meta.dirname, '..', '..', '..', 'kql');

/** kql/tables of the repository (tables, mappings, the functions update policies call, policies), in deploy order. */
function repoStorage(): CatalogCommand[] {
  const files: KqlSourceFile[] = readdirSync(join(kqlDir, 'tables'))
    .filter((name) => name.endsWith('.kql'))
    .map((name) => ({ path: `tables/${name}`, text: readFileSync(join(kqlDir, 'tables', name), 'utf8') }));
  const order = storageDeployOrder(files);
  if (!order) {
    throw new Error('kql/tables has syntax errors');
  }
  return order;
}

/**
 * A database that has the given tables and nothing in them (no mappings, policies or functions): records every
 * command and how many were in flight at once. Each answer comes a macrotask later, as a round trip's would.
 */
function recordingDatabase(tables: readonly string[]): {
  runner: KustoCommandRunner;
  sent: string[];
  maxInFlight(): number;
} {
  const sent: string[] = [];
  let inFlight = 0;
  let max = 0;
  const runner: KustoCommandRunner = {
    async command(csl) {
      sent.push(csl);
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      if (csl === '.show tables') {
        return { columns: [{ name: 'TableName' }], rows: tables.map((name) => [name]) };
      }
      return { columns: [{ name: 'Name' }], rows: [] };
    },
  };
  return { runner, sent, maxInFlight: () => max };
}

describe(KqlDeployer.name, () => {
  describe('plan', () => {
    it('should read what the steps need of the tables already there a few at a time, each once', async () => {
      const order = repoStorage();
      const tables = order.flatMap(({ command }) => (command.kind === 'table' ? [command.name] : []));
      const database = recordingDatabase(tables);

      const steps = await new KqlDeployer(database.runner).plan({ deployOrder: order });

      expect(steps).toHaveLength(order.length);
      expect(database.sent.length).toBeGreaterThan(STATE_READ_CONCURRENCY);
      expect(database.maxInFlight()).toBe(STATE_READ_CONCURRENCY);
      expect(new Set(database.sent).size).toBe(database.sent.length);
      expect(database.sent).toContain(".show table ['Orders'] cslschema");
      expect(database.sent).toContain(".show table ['Orders'] policy update");
    });

    it('should read only the tables and functions of an empty database, and plan to create everything', async () => {
      const order = repoStorage();
      const database = recordingDatabase([]);

      const steps = await new KqlDeployer(database.runner).plan({ deployOrder: order });

      expect(database.sent.sort()).toEqual(['.show functions', '.show tables']);
      expect(new Set(steps.map((step) => step.action))).toEqual(new Set(['create']));
    });
  });
});
