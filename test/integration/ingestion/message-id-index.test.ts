/** The dedup lookup against the real engine: exactly the ids present in the table come back. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KustoIngestSink } from '../../../src/ingestion/kusto-ingest-sink.js';
import { KustoMessageIdIndex } from '../../../src/ingestion/message-id-index.js';
import { DATABASE, IngestionStack, MAPPING, TABLE } from './ingestion-stack.js';

describe(KustoMessageIdIndex.name, () => {
  const stack = new IngestionStack();

  beforeAll(async () => {
    await stack.start();
    await stack.createTable();
  });

  afterAll(async () => {
    await stack.stop();
  });

  it('should return exactly the ids already ingested, right after the ingest returns', async () => {
    const sink = new KustoIngestSink({ mode: 'streaming', clusterUrl: stack.kusto.url });
    const index = new KustoMessageIdIndex(stack.kusto.url);
    const present = Array.from({ length: 1500 }, (_, i) => `id-${i}`).concat(['quote"d', 'back\\slash']);
    const rows = present.map((messageId, seq) => JSON.stringify({ messageId, seq })).join('\n');
    await sink.ingest(
      { database: DATABASE, table: TABLE, format: 'json', mappingReference: MAPPING },
      Buffer.from(`${rows}\n`),
    );

    const asked = ['id-0', 'missing-1', 'id-1499', 'quote"d', 'back\\slash', 'missing-2'];
    expect([...(await index.existing(DATABASE, TABLE, 'MessageId', asked))].sort()).toEqual(
      ['back\\slash', 'id-0', 'id-1499', 'quote"d'].sort(),
    );
    expect((await index.existing(DATABASE, TABLE, 'MessageId', present)).size).toBe(present.length);
    await index.close();
    await sink.close();
  });
});
