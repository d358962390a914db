/**
 * IngestionModule inside Nest: wired from the validated EnvConfig (INGEST_ROUTES_FILE included), registers its
 * readiness checks, and announces committed batches through the injectable IngestionEvents.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthModule } from '../../../src/common/health/health.module.js';
import { ReadinessRegistry } from '../../../src/common/health/readiness-registry.js';
import { ConfigModule } from '../../../src/config/config.module.js';
import { loadConfig } from '../../../src/config/load-config.js';
import { IngestionEvents } from '../../../src/ingestion/ingestion-events.js';
import type { BatchCommittedEvent } from '../../../src/ingestion/ingestion-pipeline.js';
import { IngestionModule } from '../../../src/ingestion/ingestion.module.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { DATABASE, IngestionStack, MAPPING, TABLE, event, waitUntil } from './ingestion-stack.js';

describe(IngestionModule.name, () => {
  const stack = new IngestionStack();
  let dir: string;
  let app: TestingModule;

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
    dir = await tempDir('ingest-module');
    const routes = join(dir, 'routes.yaml');
    await writeFile(routes, `property: kind\nroutes:\n  good: { table: ${TABLE}, mapping: ${MAPPING} }\n`);
    const config = loadConfig({
      SERVICEBUS_CONNECTION_STRING: stack.brokerConnectionString,
      KUSTO_CLUSTER_URL: stack.kusto.url,
      KUSTO_DATABASE: DATABASE,
      INGEST_ROUTES_FILE: routes,
      INGEST_BATCH_MAX_AGE_MS: '50',
    });
    app = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), HealthModule, IngestionModule],
    }).compile();
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await stack.stop();
    await removeDir(dir);
  });

  it('should register readiness checks and announce committed batches', async () => {
    const committed: BatchCommittedEvent[] = [];
    app.get(IngestionEvents).onBatchCommitted((e) => committed.push(e));

    await stack.send(Array.from({ length: 20 }, (_, i) => event(i)));
    await waitUntil('20 rows are announced', () =>
      Promise.resolve(committed.reduce((sum, e) => sum + e.rows, 0) >= 20),
    );

    expect(committed[0]).toMatchObject({ database: DATABASE, table: TABLE });
    expect(await stack.counts()).toEqual({ rows: 20, distinct: 20 });
    const readiness = await app.get(ReadinessRegistry).runAll();
    expect(readiness.servicebus).toEqual({ up: true, details: { link: 'attached' } });
    expect(readiness['kusto-ingest']).toEqual({ up: true, details: {} });
    expect(readiness.ingestion).toEqual({ up: true, details: { inFlight: 0 } });
  });
});
