import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.js';
import { FunctionCatalogService } from './function-catalog.service.js';

const TABLES = '.create-merge table Orders (TenantId: string, OrderId: string)\n';
const fn = (name: string): string =>
  `// @expose roles=analyst\n.create-or-alter function ${name}(tenantId: string) {\n    Orders | where TenantId == tenantId\n}\n`;

describe('FunctionCatalogService.reload', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kqlgate-catalog-'));
    await mkdir(join(dir, 'tables'));
    await mkdir(join(dir, 'functions'));
    await writeFile(join(dir, 'tables', 'orders.kql'), TABLES);
    await writeFile(join(dir, 'functions', 'First.kql'), fn('First'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should answer a call made during a running reload with a catalog that includes the change', async () => {
    const service = new FunctionCatalogService(loadConfig({ KQL_DIR: dir }), undefined, { kqlDir: dir });
    let afterChange: ReturnType<FunctionCatalogService['reload']> | undefined;
    // Swap hooks run after the reload has read kql/: the change and the second call land in that window.
    service.beforeSwap(async () => {
      if (!afterChange) {
        await writeFile(join(dir, 'functions', 'Second.kql'), fn('Second'));
        afterChange = service.reload();
      }
    });
    const first = await service.reload();
    expect(first.catalog.functions.map((f) => f.name)).toEqual(['First']);
    const outcome = await afterChange!;
    expect(outcome.catalog.functions.map((f) => f.name).sort()).toEqual(['First', 'Second']);
    expect(service.exposedFunction('Second')).toBeDefined();
  });

  it('should let concurrent callers share one follow-up reload', async () => {
    const service = new FunctionCatalogService(loadConfig({ KQL_DIR: dir }), undefined, { kqlDir: dir });
    const first = service.reload();
    const [a, b] = [service.reload(), service.reload()];
    const outcomes = await Promise.all([first, a, b]);
    expect(outcomes[1].catalog.version).toBe(outcomes[2].catalog.version);
    expect(outcomes[1].catalog.version).toBe(outcomes[0].catalog.version + 1);
  });
});
